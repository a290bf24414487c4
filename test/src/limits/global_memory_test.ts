/** limitGlobalMemory on real memory, with both measures, on Deno and Bun. */
import assert from "node:assert/strict";
import { test } from "../../harness.ts";
import { runInFreshProcess } from "../../fresh_process.ts";
import {
  GiB,
  LimitExceeded,
  limitGlobalMemory,
  MiB,
  setGlobalMemoryLimit,
} from "../../../mod.ts";
import { currentMeter } from "../../../src/meters/mod.ts";
import { residentChunk, residentNow, tick, withEngine } from "../fixture.ts";

test("limitGlobalMemory: a task under the limit returns ok:true with its value", async () => {
  await withEngine(async () => {
    const r = await limitGlobalMemory(async () => {
      await tick(5);
      return "fine";
    }, { limit: 64 * GiB });
    assert.deepEqual([r.ok, r.ok && r.value], [true, "fine"]);
  });
});

test("limitGlobalMemory: resident memory past the limit interrupts the task (default measure)", async () => {
  await withEngine(async () => {
    const limit = residentNow() + 128 * MiB;
    const kept: Uint8Array[] = [];
    const r = await limitGlobalMemory(async (signal) => {
      while (kept.length < 256) {
        signal.throwIfAborted();
        kept.push(residentChunk(8));
        await tick();
      }
    }, { limit });
    assert.equal(r.ok, false);
    assert.ok(!r.ok && r.error instanceof LimitExceeded);
    assert.equal(r.error.kind, "memory");
    assert.equal(r.error.limit, limit);
    assert.ok(r.error.observed! > limit);
    assert.ok(kept.length < 256, `stopped after ${kept.length} chunks`);
  });
});

test("limitGlobalMemory: the heap measure sees ArrayBuffers kept by the task", async () => {
  await withEngine(async () => {
    const limit = currentMeter().heapBytes() + 64 * MiB;
    const kept: ArrayBuffer[] = [];
    const r = await limitGlobalMemory(async (signal) => {
      while (kept.length < 1024) {
        signal.throwIfAborted();
        const buffer = new ArrayBuffer(4 * MiB);
        new Uint8Array(buffer).fill(1);
        kept.push(buffer);
        await tick();
      }
    }, { limit, measure: "heap" });
    assert.equal(r.ok, false);
    assert.ok(!r.ok && r.error instanceof LimitExceeded);
    assert.ok(kept.length < 1024, `stopped after ${kept.length} buffers`);
  });
});

test("limitGlobalMemory: a synchronous task past the limit returns ok:false at settlement", async () => {
  await withEngine(async () => {
    const limit = residentNow() + 64 * MiB;
    const kept: Uint8Array[] = [];
    const r = await limitGlobalMemory(() => {
      // No checkpoint and no await: only the check at settlement can see it.
      // A GC may free older garbage meanwhile, even between the loop's last
      // reading and the settlement check (seen under load with a 32 MiB
      // margin), so go far past the limit rather than a fixed amount.
      while (residentNow() < limit + 256 * MiB && kept.length < 512) {
        kept.push(residentChunk(16));
      }
      return kept.length;
    }, { limit });
    assert.ok(kept.length < 512, "RSS never passed the limit");
    assert.equal(r.ok, false);
    assert.ok(!r.ok && r.error instanceof LimitExceeded);
  });
});

test("limitGlobalMemory: already over the limit at the call, the task does not run", async () => {
  await withEngine(async () => {
    let ran = false;
    const r = await limitGlobalMemory(() => ran = true, { limit: 1 });
    assert.equal(r.ok, false);
    assert.equal(ran, false);
  });
});

test("limitGlobalMemory: without a limit it follows setGlobalMemoryLimit, read at each check", async () => {
  await withEngine(async () => {
    setGlobalMemoryLimit(64 * GiB);
    const r = await limitGlobalMemory(async () => {
      setGlobalMemoryLimit(1); // lowered while the task is pending
      await tick(50);
      return "late";
    });
    setGlobalMemoryLimit(64 * GiB);
    assert.equal(r.ok, false);
    assert.ok(!r.ok && r.error instanceof LimitExceeded);
    assert.equal(r.error.limit, 1);
  });
});

test("limitGlobalMemory: bad input gets a TypeError or RangeError naming the parameter", async () => {
  await withEngine(() => {
    const task = () => 1;
    assert.throws(() => setGlobalMemoryLimit(0), {
      name: "RangeError",
      message: /bytes must be a positive finite number/,
    });
    assert.throws(() => limitGlobalMemory(task, { limit: -5 }), {
      name: "RangeError",
      message: /options\.limit/,
    });
    assert.throws(
      // deno-lint-ignore no-explicit-any
      () => limitGlobalMemory(task, { measure: "rss" as any }),
      {
        name: "RangeError",
        message: /options\.measure must be "resident" or "heap"/,
      },
    );
    // null is not a measure: only an absent measure means the default.
    // deno-lint-ignore no-explicit-any
    assert.throws(() => limitGlobalMemory(task, { measure: null as any }), {
      name: "TypeError",
      message:
        'options.measure must be a string, "resident" or "heap", got null',
    });
    // deno-lint-ignore no-explicit-any
    assert.throws(() => limitGlobalMemory(task, { measure: 1 as any }), {
      name: "TypeError",
      message:
        'options.measure must be a string, "resident" or "heap", got number',
    });
    assert.throws(
      // deno-lint-ignore no-explicit-any
      () => limitGlobalMemory(task, { limit: "1" as any }),
      {
        name: "TypeError",
        message: "options.limit must be a number of bytes, got string",
      },
    );
    // deno-lint-ignore no-explicit-any
    assert.throws(() => setGlobalMemoryLimit("1" as any), {
      name: "TypeError",
      message: "bytes must be a number of bytes, got string",
    });
    // A misspelt key is refused, not ignored.
    assert.throws(
      // deno-lint-ignore no-explicit-any
      () => limitGlobalMemory(task, { limit: 1, mesure: "heap" } as any),
      {
        name: "TypeError",
        message:
          "options.mesure is not an option of limitGlobalMemory(); accepted: limit, measure",
      },
    );
    // deno-lint-ignore no-explicit-any
    assert.throws(() => limitGlobalMemory(task, [] as any), {
      name: "TypeError",
      message: "options must be an object or undefined, got object (Array)",
    });
    // deno-lint-ignore no-explicit-any
    assert.throws(() => limitGlobalMemory(null as any), {
      name: "TypeError",
      message: /task must be a function/,
    });
  });
});

test("limitGlobalMemory: with no limit given and none set it throws an Error saying so", () => {
  // A fresh process: other tests in this one set the global limit.
  const child = runInFreshProcess(
    new URL("./no_global_limit_script.ts", import.meta.url),
  );
  assert.equal(child.status, 0, String(child.stderr));
  assert.match(
    String(child.stdout),
    /^Error: limitGlobalMemory\(\) has no limit: pass options\.limit or call setGlobalMemoryLimit\(\) first/,
  );
});
