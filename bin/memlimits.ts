#!/usr/bin/env node
/**
 * The `memlimits` command of the npm package (`npx memlimits …`,
 * `bunx memlimits …`): the limit-tuning calculator, the same program as
 * `deno task calc …`, with the same output and exit statuses.
 *
 * @module
 */
import process from "node:process";
import { runCli } from "../stats/calc/main.ts";

const result = runCli(process.argv.slice(2));
process.stdout.write(result.stdout);
process.stderr.write(result.stderr);
process.exitCode = result.status;
