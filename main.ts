/**
 * `npm start` / `deno task start`: the project's main job. It shows the
 * statistics toolkit choosing a limit, then the worker pool keeping the host
 * alive while it stops a CPU-bound task and a memory bomb, then the in-thread
 * limits stopping a memory bomb and endless work, and ends with the usage of
 * the pool's runs and the limits `memlimits observed` would set from them.
 *
 * @module
 */
import { printStartReport } from "./stats/start.ts";
import { printUsageReport, runPoolDemo } from "./src/pool/demo/demo.ts";
import { runLimitsDemo } from "./demo/limits_demo.ts";

printStartReport();
console.log();
const poolRuns = await runPoolDemo();
await runLimitsDemo();
printUsageReport(poolRuns);
