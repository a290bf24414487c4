// Child process for watch_test.ts: a host with a pool whose task started
// processes, leaving in the way argv's last argument says ("exit":
// process.exit(0), "throw": an uncaught error, "sigterm": SIGTERM). Prints
// the pids of the worker and of every process it started, as JSON, first.
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WorkerPool } from "../../../../src/pool/worker_pool.ts";
import { descendantPids, eventually, TASKS } from "../helpers.ts";

const how = process.argv[process.argv.length - 1];
const file = join(tmpdir(), `memlimits-host-exit-${process.pid}`);
const pool = new WorkerPool(TASKS, { size: 1 });
await eventually(() => pool.idleCount === 1, 20_000);
const [worker] = pool.workerPids;
pool.run("startsProcesses", [file]).catch(() => {});
await eventually(() => {
  try {
    return readFileSync(file, "utf8").length > 0;
  } catch {
    return false;
  }
}, 20_000);
rmSync(file, { force: true });
console.log(JSON.stringify([worker, ...descendantPids(worker)]));
if (how === "exit") process.exit(0);
if (how === "sigterm") process.kill(process.pid, "SIGTERM");
if (how === "throw") throw new Error("the host fails");
