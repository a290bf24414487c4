#!/usr/bin/env node
/**
 * The `memlimits` command of the npm package (`npx memlimits …`,
 * `bunx memlimits …`) and the `calc` export of the JSR package
 * (`deno run jsr:@memlimits/memlimits/calc …`): the limit-tuning calculator.
 * `npx memlimits --help` lists its commands.
 *
 * @module
 */
import process from "node:process";
import { runCli } from "../stats/calc/main.ts";

const result = runCli(process.argv.slice(2));
process.stdout.write(result.stdout);
process.stderr.write(result.stderr);
process.exitCode = result.status;
