/** A task cannot reach its worker's channel to the host (private_channel.ts). */
import assert from "node:assert/strict";
import { isBun, isDeno, test } from "../../../harness.ts";
import { WorkerPool } from "../../../../src/pool/worker_pool.ts";
import { withoutUsage } from "../../fixture.ts";
import { limitError, MiB } from "../helpers.ts";

const TASKS = new URL("../fixtures/channel_tasks.ts", import.meta.url);

test("channel: a task sees no process.send, _send, channel or connected, and hears no message of the pool", async () => {
  await using pool = new WorkerPool(TASKS, { size: 1 });
  const first = pool.run("lookForChannel", []);
  // A run queued behind it: its arguments must not reach the first task.
  const second = pool.run("add", [40, 2]);
  assert.deepEqual(withoutUsage(await first), {
    ok: true,
    value: {
      send: "undefined",
      _send: "undefined",
      channel: "undefined",
      connected: "undefined",
      heard: 0,
    },
  });
  assert.deepEqual(withoutUsage(await second), { ok: true, value: 42 });
});

test("channel: a task that forges results while it allocates is stopped at memoryLimit, and the next task returns its own value", async () => {
  const limit = 256 * MiB;
  await using pool = new WorkerPool(TASKS, { size: 1, memoryLimit: limit });
  const r = await pool.run("forgeWhileAllocating", [], { timeout: 60_000 });
  const e = limitError(r);
  assert.equal(e.kind, "memory");
  assert.ok(
    e.observed! <= 1.25 * limit,
    `held ${(e.observed! / MiB).toFixed(1)} MiB`,
  );
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(withoutUsage(await pool.run("add", [i, 1])), {
      ok: true,
      value: i + 1,
    });
  }
});

test(
  'channel: on Deno under "none" (the task module preloaded), a task sees none of it either',
  async () => {
    await using pool = new WorkerPool(TASKS, { size: 1, permissions: "none" });
    assert.deepEqual(withoutUsage(await pool.run("lookForChannel", [])), {
      ok: true,
      value: {
        send: "undefined",
        _send: "undefined",
        channel: "undefined",
        connected: "undefined",
        heard: 0,
      },
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
    value: {
      send: "undefined",
      _send: "undefined",
      channel: "undefined",
      connected: "undefined",
      forgedSends: 0,
      heard: 0,
    },
  });
  assert.deepEqual(withoutUsage(await second), { ok: true, value: 42 });
});

test("channel: under narrowed permissions, a forging task is stopped at memoryLimit and the next tasks return their own values", async () => {
  const limit = 256 * MiB;
  await using pool = new WorkerPool(ON_LOAD, {
    size: 1,
    memoryLimit: limit,
    permissions: NARROW,
  });
  // Its timer forges while the worker is idle: nothing settles by it.
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(withoutUsage(await pool.run("add", [i, 1])), {
      ok: true,
      value: i + 1,
    });
  }
  const e = limitError(
    await pool.run("forgeWhileAllocating", [], { timeout: 60_000 }),
  );
  assert.equal(e.kind, "memory");
  assert.ok(
    e.observed! <= 1.25 * limit,
    `held ${(e.observed! / MiB).toFixed(1)} MiB`,
  );
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(withoutUsage(await pool.run("add", [i, 1])), {
      ok: true,
      value: i + 1,
    });
  }
});
