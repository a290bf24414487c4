/** One worker process on its own: what the pool relies on when a worker dies. */
import assert from "node:assert/strict";
import { isBun, isDeno, test } from "../../../harness.ts";
import { runInFreshProcess } from "../../../fresh_process.ts";
import { WorkerPool } from "../../../../src/pool/worker_pool.ts";
import { WorkerProcess } from "../../../../src/pool/spawn/worker_process.ts";
import { isHeapCapExit } from "../../../../src/pool/spawn/command_line.ts";
import { processExists, TASKS } from "../helpers.ts";

test("worker process: a task sent to a worker that already died does not crash the host", async () => {
  const worker = new WorkerProcess(String(TASKS), undefined);
  await worker.ready;
  const exit = await worker.kill();
  assert.equal(exit.signal, "SIGKILL");
  // Its channel is closed now: the runtime reports that as an "error" event,
  // which would be uncaught (and end this process) without a listener.
  worker.send({ t: "run", id: 1, token: 1, exportName: "add", args: [1, 2] });
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(processExists(worker.pid), false);
  assert.equal(worker.residentBytes(), undefined);
});

test("worker process: a worker that cannot be started ends with its spawn error", () => {
  // In a child process: Deno leaves the IPC resource of a failed spawn open
  // (its bug), which the sanitizers would report here.
  const child = runInFreshProcess(
    new URL("./spawn_failure_script.ts", import.meta.url),
  );
  assert.equal(child.status, 0, String(child.stderr));
  assert.deepEqual(JSON.parse(String(child.stdout)), {
    ready: "the worker process could not be started: ENOENT",
    exited: { code: null, signal: null },
    resident: null,
  });
});

// Deno's process.execPath cannot be redefined; Bun's and Node's can, which
// lets a whole pool fail to start its workers.
test(
  "worker process: a pool whose workers cannot be started rejects runs and closes",
  async () => {
    const realExecPath = process.execPath;
    const setExecPath = (value: string) =>
      Object.defineProperty(process, "execPath", {
        value,
        configurable: true,
        writable: true,
      });
    setExecPath("/nonexistent/runtime");
    let pool: WorkerPool;
    try {
      pool = new WorkerPool(TASKS, { size: 1 });
    } finally {
      setExecPath(realExecPath);
    }
    await assert.rejects(pool.run("add", [1, 2]), /could not be started/);
    await pool.close();
  },
  { skip: isDeno },
);

test(
  "worker process: a worker past its V8 heap cap dies in the way isHeapCapExit recognises (Deno, Node)",
  async () => {
    const bomb = new URL("../fixtures/heap_bomb_on_load.ts", import.meta.url);
    const worker = new WorkerProcess(String(bomb), 64 * 2 ** 20);
    await assert.rejects(worker.ready, /exited before it was ready/);
    const exit = await worker.exited;
    assert.equal(isHeapCapExit(exit), true, JSON.stringify(exit));
    // A crash that is not the cap is not mistaken for it.
    assert.equal(isHeapCapExit({ code: 3, signal: null }), false);
    assert.equal(isHeapCapExit({ code: null, signal: "SIGKILL" }), false);
  },
  { skip: isBun },
);
