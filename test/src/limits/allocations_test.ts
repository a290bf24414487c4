/** limitAllocations on real allocations (Deno), and its refusal where no counter exists (Bun 1.4.5). */
import assert from "node:assert/strict";
import { test } from "../../harness.ts";
import {
  checkpoint,
  limitAllocations,
  LimitExceeded,
  MiB,
} from "../../../mod.ts";
import { countsAllocations, tick, withEngine } from "../fixture.ts";

const skip = !countsAllocations;

/** Allocates about `mib` MiB of short-lived objects, synchronously. */
function churn(mib: number): number {
  let window: { i: number; s: string }[] = [];
  let total = 0;
  for (let i = 0; total < mib * MiB; i++) {
    window.push({ i, s: "k" + i });
    if (window.length === 1000) window = [];
    total += 64; // at least an object, a string and a slot
  }
  return window.length;
}

test(
  "limitAllocations: a task under its limit returns ok:true with the value and a count",
  async () => {
    await withEngine(async () => {
      const r = await limitAllocations(() => churn(4), { limit: 256 * MiB });
      assert.equal(r.ok, true);
      assert.ok(r.ok && typeof r.value === "number");
      assert.ok(r.allocated >= 4 * MiB, `allocated ${r.allocated}`);
      assert.ok(r.allocated < 256 * MiB);
    });
  },
  { skip },
);

test(
  "limitAllocations: a synchronous task past its limit returns ok:false without checkpoints",
  async () => {
    await withEngine(async () => {
      const r = await limitAllocations(() => churn(64), { limit: 8 * MiB });
      assert.equal(r.ok, false);
      assert.ok(!r.ok && r.error instanceof LimitExceeded);
      assert.equal(r.error.kind, "allocations");
      assert.equal(r.error.limit, 8 * MiB);
      assert.ok(r.error.observed! > 8 * MiB);
      assert.ok(r.allocated >= 64 * MiB, `allocated ${r.allocated}`);
    });
  },
  { skip },
);

test(
  "limitAllocations: a checkpointed loop is stopped soon after its limit",
  async () => {
    await withEngine(async () => {
      let rounds = 0;
      const r = await limitAllocations(() => {
        for (; rounds < 1e6; rounds++) {
          checkpoint();
          churn(0.0625); // 64 KiB per round, 64 GiB if never stopped
        }
        return rounds;
      }, { limit: 32 * MiB });
      assert.equal(r.ok, false);
      assert.ok(!r.ok && r.error instanceof LimitExceeded);
      // 1e-9 overshoot at the checkpoint sampling rate is far below 64 MiB
      // (docs/limits.md); the bound is loose on purpose.
      assert.ok(r.allocated < 32 * MiB + 64 * MiB, `allocated ${r.allocated}`);
      assert.ok(rounds < 1e6);
    });
  },
  { skip },
);

test("limitAllocations: ArrayBuffer backing stores are counted", async () => {
  await withEngine(async () => {
    const kept: ArrayBuffer[] = [];
    const r = await limitAllocations(() => {
      for (let i = 0; i < 64; i++) kept.push(new ArrayBuffer(MiB));
    }, { limit: 32 * MiB });
    assert.equal(r.ok, false);
    assert.ok(r.allocated >= 64 * MiB, `allocated ${r.allocated}`);
  });
}, { skip });

test(
  "limitAllocations: an async task is interrupted by the timer through its signal",
  async () => {
    await withEngine(async () => {
      let rounds = 0;
      const r = await limitAllocations(async (signal) => {
        while (!signal.aborted && rounds < 100_000) {
          churn(0.25);
          rounds++;
          await tick();
        }
        return signal.reason;
      }, { limit: 16 * MiB });
      assert.equal(r.ok, false);
      assert.ok(!r.ok && r.error instanceof LimitExceeded);
      assert.equal(r.error.kind, "allocations");
      assert.ok(rounds < 100_000);
    });
  },
  { skip },
);

test(
  "limitAllocations: refused with an Error on a runtime without an allocation counter",
  async () => {
    await withEngine(() => {
      assert.throws(
        () => limitAllocations(() => 1, { limit: 64 * MiB }),
        (e: unknown) =>
          e instanceof Error &&
          /allocation limits are not supported on this runtime/.test(e.message),
      );
    });
  },
  { skip: countsAllocations },
);

test("limitAllocations: bad input gets a TypeError or RangeError naming the parameter", async () => {
  await withEngine(() => {
    const task = () => 1;
    for (const limit of [0, -1, NaN, Infinity, -Infinity]) {
      assert.throws(() => limitAllocations(task, { limit }), {
        name: "RangeError",
        message: /options\.limit must be a positive finite number/,
      });
    }
    // deno-lint-ignore no-explicit-any
    const untyped = limitAllocations as any;
    assert.throws(() => untyped(task, { limit: "1" }), {
      name: "TypeError",
      message: /options\.limit/,
    });
    assert.throws(() => untyped(task), {
      name: "TypeError",
      message: /options/,
    });
    assert.throws(() => untyped("task", { limit: MiB }), {
      name: "TypeError",
      message: /task must be a function/,
    });
    assert.throws(() => untyped(task, { limit: "1" }), {
      name: "TypeError",
      message: "options.limit must be a number of bytes, got string",
    });
    // A misspelt key is refused, not ignored (also where allocations are not counted).
    assert.throws(() => untyped(task, { limit: MiB, limt: 1 }), {
      name: "TypeError",
      message:
        "options.limt is not an option of limitAllocations(); accepted: limit",
    });
  });
});
