/**
 * `npm start` / `deno task start`: the project's main job. It shows the
 * statistics toolkit choosing a limit, then the worker pool keeping the host
 * alive while it stops a CPU-bound task and a memory bomb.
 *
 * @module
 */
import { printStartReport } from "./stats/start.ts";
import { runPoolDemo } from "./src/pool/demo.ts";

printStartReport();
console.log();
await runPoolDemo();
