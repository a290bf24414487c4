/**
 * `npm start` / `deno task start`: the project's main job. It shows the
 * statistics toolkit choosing a limit, then the worker pool keeping the host
 * alive while it stops a CPU-bound task and a memory bomb, then the in-thread
 * limits stopping a memory bomb and endless work.
 *
 * @module
 */
import { printStartReport } from "./stats/start.ts";
import { runPoolDemo } from "./src/pool/demo.ts";
import { runLimitsDemo } from "./demo/limits_demo.ts";

printStartReport();
console.log();
await runPoolDemo();
await runLimitsDemo();
