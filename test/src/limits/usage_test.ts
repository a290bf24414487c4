/** `usage` on the results of the in-thread limits: wall time, and allocations where counted. */
import assert from "node:assert/strict";
import { isBun, test } from "../../harness.ts";
import {
  limitAllocations,
  LimitExceeded,
  limitGlobalMemory,
  limitWithToken,
  MiB,
  Token,
} from "../../../mod.ts";
import { tick, withEngine } from "../fixture.ts";

/** A task that allocates at least 8,000,000 bytes on the JS heap: a million doubles, kept. */
function eightMegabytesOfDoubles(): number {
  const doubles = Array.from({ length: 1e6 }, (_, i) => i * 1.5);
  return doubles.length;
}

test("usage: wallMs spans the task's wait and no more than the call", async () => {
  await withEngine(async () => {
    const before = performance.now();
    const r = await limitWithToken(() => tick(60).then(() => "done"), {
      token: new Token(),
    });
    const outside = performance.now() - before;
    assert.equal(r.ok, true);
    // A 60 ms timer cannot fire much before 60 ms (runtimes round to the ms).
    assert.ok(r.usage.wallMs >= 58, `wallMs ${r.usage.wallMs}`);
    assert.ok(
      r.usage.wallMs <= outside,
      `wallMs ${r.usage.wallMs} > ${outside} ms measured around the call`,
    );
  });
});

test("usage: allocated counts the task's allocations where the runtime counts them, and is absent on Bun", async () => {
  await withEngine(async () => {
    const r = await limitGlobalMemory(eightMegabytesOfDoubles, {
      limit: 64 * 1024 * MiB,
    });
    assert.equal(r.ok, true);
    if (isBun) {
      assert.equal("allocated" in r.usage, false, "never a silent 0");
    } else {
      assert.ok(
        r.usage.allocated! >= 8e6,
        `allocated ${r.usage.allocated} < the 8e6 bytes of doubles`,
      );
    }
  });
});

test("usage: an interrupted task's result carries its usage too", async () => {
  await withEngine(async () => {
    const token = new Token();
    const pending = limitWithToken(
      (signal) =>
        new Promise((resolve) =>
          signal.addEventListener("abort", () => resolve("stopped"))
        ),
      { token },
    );
    await tick(30);
    token.cancel("enough");
    const r = await pending;
    assert.ok(!r.ok && r.error instanceof LimitExceeded);
    assert.ok(r.usage.wallMs >= 28, `wallMs ${r.usage.wallMs}`);
  });
});

test("usage: a task interrupted on entry has a usage with its (tiny) wall time", async () => {
  await withEngine(async () => {
    const token = new Token();
    token.cancel();
    const r = await limitWithToken(() => "never", { token });
    assert.equal(r.ok, false);
    assert.ok(r.usage.wallMs >= 0 && r.usage.wallMs < 1000);
  });
});

test(
  "usage: limitAllocations gives the same count in allocated and usage.allocated",
  async () => {
    await withEngine(async () => {
      const kept = await limitAllocations(eightMegabytesOfDoubles, {
        limit: 1024 * MiB,
      });
      assert.equal(kept.ok, true);
      assert.equal(kept.usage.allocated, kept.allocated);
      assert.ok(kept.allocated >= 8e6);
      const stopped = await limitAllocations(eightMegabytesOfDoubles, {
        limit: 1 * MiB,
      });
      assert.equal(stopped.ok, false);
      assert.equal(stopped.usage.allocated, stopped.allocated);
      assert.ok(stopped.usage.wallMs > 0);
    });
  },
  { skip: isBun },
);
