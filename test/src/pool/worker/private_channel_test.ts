/** A task cannot reach its worker's channel to the host (private_channel.ts). */
import assert from "node:assert/strict";
import { isBun, isDeno, test } from "../../../harness.ts";
import { WorkerPool } from "../../../../src/pool/worker_pool.ts";
import { withoutUsage } from "../../fixture.ts";
import { limitError, MiB } from "../helpers.ts";

const TASKS = new URL("../fixtures/channel_tasks.ts", import.meta.url);
/** What a task sees of the pool's channel: nothing. */
const UNSEEN = {
  send: "undefined",
  _send: "undefined",
  channel: "undefined",
  connected: "undefined",
};
const LIMIT = 256 * MiB;

/** Three runs of `add` on `pool` each return their own value. */
async function assertOwnValues(pool: WorkerPool): Promise<void> {
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(withoutUsage(await pool.run("add", [i, 1])), {
      ok: true,
      value: i + 1,
    });
  }
}

/** A forging task on `pool` (memoryLimit LIMIT) is stopped, holding at most 1.25 × LIMIT. */
async function assertForgerStopped(pool: WorkerPool): Promise<void> {
  const e = limitError(
    await pool.run("forgeWhileAllocating", [], { timeout: 60_000 }),
  );
  assert.equal(e.kind, "memory");
  assert.ok(
    e.observed! <= 1.25 * LIMIT,
    `held ${(e.observed! / MiB).toFixed(1)} MiB`,
  );
}

test("channel: a task sees no process.send, _send, channel or connected, and hears no message of the pool", async () => {
  await using pool = new WorkerPool(TASKS, { size: 1 });
  const first = pool.run("lookForChannel", []);
  // A run queued behind it: its arguments must not reach the first task.
  const second = pool.run("add", [40, 2]);
  assert.deepEqual(withoutUsage(await first), {
    ok: true,
    value: { ...UNSEEN, heard: 0 },
  });
  assert.deepEqual(withoutUsage(await second), { ok: true, value: 42 });
});

test("channel: a task that forges results while it allocates is stopped at memoryLimit, and the next task returns its own value", async () => {
  await using pool = new WorkerPool(TASKS, { size: 1, memoryLimit: LIMIT });
  await assertForgerStopped(pool);
  await assertOwnValues(pool);
});

test(
  'channel: on Deno under "none" (the task module preloaded), a task sees none of it either',
  async () => {
    await using pool = new WorkerPool(TASKS, { size: 1, permissions: "none" });
    assert.deepEqual(withoutUsage(await pool.run("lookForChannel", [])), {
      ok: true,
      value: { ...UNSEEN, heard: 0 },
    });
  },
  { skip: !isDeno },
);

const ON_LOAD = new URL("../fixtures/channel_on_load.ts", import.meta.url);
/** Deno and Node narrow the worker (on Deno: the task module preloaded); Bun has no permissions. */
const NARROW = isBun ? "inherit" : "none";

test("channel: a task module's top level sees none of it, even where Deno preloads it, and its forged results settle nothing", async () => {
  await using pool = new WorkerPool(ON_LOAD, {
    size: 1,
    permissions: NARROW,
  });
  const first = pool.run("seenAtLoad", []);
  const second = pool.run("add", [40, 2]);
  assert.deepEqual(withoutUsage(await first), {
    ok: true,
    value: { ...UNSEEN, forgedSends: 0, heard: 0 },
  });
  assert.deepEqual(withoutUsage(await second), { ok: true, value: 42 });
});

test("channel: under narrowed permissions, a forging task is stopped at memoryLimit and the next tasks return their own values", async () => {
  await using pool = new WorkerPool(ON_LOAD, {
    size: 1,
    memoryLimit: LIMIT,
    permissions: NARROW,
  });
  // Its timer forges while the worker is idle: nothing settles by it.
  await assertOwnValues(pool);
  await assertForgerStopped(pool);
  await assertOwnValues(pool);
});
