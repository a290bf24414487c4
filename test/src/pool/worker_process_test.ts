/** One worker process on its own: what the pool relies on when a worker dies. */
import assert from "node:assert/strict";
import { test } from "../../harness.ts";
import { WorkerProcess } from "../../../src/pool/worker_process.ts";
import { processExists, TASKS } from "./helpers.ts";

test("worker process: a task sent to a worker that already died does not crash the host", async () => {
  const worker = new WorkerProcess(String(TASKS), undefined);
  await worker.ready;
  const exit = await worker.kill();
  assert.equal(exit.signal, "SIGKILL");
  // Its channel is closed now: the runtime reports that as an "error" event,
  // which would be uncaught (and end this process) without a listener.
  worker.send({ t: "run", id: 1, exportName: "add", args: [1, 2] });
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(processExists(worker.pid), false);
  assert.equal(worker.residentBytes(), undefined);
});
