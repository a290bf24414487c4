/** No process a task starts escapes its worker's tree, however it detaches (linux/subreaper.ts). */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isDeno, test } from "../../../harness.ts";
import { WorkerPool } from "../../../../src/pool/worker_pool.ts";
import type { WorkerPoolOptions } from "../../../../src/pool/pool_options.ts";
import { runInFreshProcess } from "../../../fresh_process.ts";
import {
  eventually,
  limitError,
  MiB,
  processExists,
  processState,
} from "../helpers.ts";

const TASKS = new URL("../fixtures/descendant_tasks.ts", import.meta.url);

/** Gone, or a zombie waiting for PID 1 here (which reaps orphans slowly). */
function gone(pid: number): boolean {
  const state = processState(pid);
  return state === "gone" || state === "Z";
}

/** A fresh directory for the daemon's pid file, removed after `fn`. */
async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "memlimits-daemon-"));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A daemon that takes no memory, started by a task on a pool with
 * `options`, outlives its run and is gone after `close()`.
 */
async function assertIdleDaemonGoneAfterClose(
  options: WorkerPoolOptions,
): Promise<void> {
  await withDir(async (dir) => {
    const pool = new WorkerPool(TASKS, options);
    let pid = 0;
    try {
      const r = await pool.run("startDaemon", [0, join(dir, "pid")]);
      assert.equal(r.ok, true);
      pid = r.ok ? r.value as number : 0;
      await new Promise((r) => setTimeout(r, 100));
      assert.ok(processExists(pid) && !gone(pid), "it runs after its run");
    } finally {
      await pool.close();
    }
    assert.ok(
      await eventually(() => gone(pid), 5000),
      `daemon ${pid}: ${processState(pid)}`,
    );
  });
}

test("subreaper: a daemon started with setsid that takes 1 GiB is stopped at memoryLimit 256 MiB, and is gone", async () => {
  await withDir(async (dir) => {
    const pidFile = join(dir, "pid");
    await using pool = new WorkerPool(TASKS, {
      size: 1,
      memoryLimit: 256 * MiB,
    });
    const r = await pool.run("startDaemon", [1024 * MiB, pidFile, 30_000], {
      timeout: 60_000,
    });
    const e = limitError(r);
    assert.equal(e.kind, "memory");
    const pid = Number(readFileSync(pidFile, "utf8"));
    assert.ok(pid > 0);
    assert.ok(
      await eventually(() => gone(pid), 5000),
      `daemon ${pid}: ${processState(pid)}`,
    );
  });
});

test("subreaper: a daemon that takes no memory outlives its run, and is gone after close()", async () => {
  await assertIdleDaemonGoneAfterClose({ size: 1 });
});

test(
  "subreaper: where a worker may not use FFI (Deno without ffi), a daemon is found by its environment marker and is gone after close()",
  async () => {
    await assertIdleDaemonGoneAfterClose({
      size: 1,
      permissions: {
        read: true,
        write: true,
        run: true,
        env: true,
        sys: true,
        net: true,
        ffi: false,
      },
    });
  },
  { skip: !isDeno },
);

test("subreaper: a daemon a task started is gone after the host exits with the pool open", async () => {
  const child = runInFreshProcess(
    new URL("./daemon_host_script.ts", import.meta.url),
  );
  assert.equal(child.status, 0, String(child.stderr));
  const pid = Number(String(child.stdout).trim().split("\n")[0]);
  assert.ok(pid > 0, String(child.stdout));
  assert.ok(
    await eventually(() => gone(pid), 5000),
    `daemon ${pid}: ${processState(pid)}`,
  );
});
