/** The engine's switch, options, timer discipline and sampling, on the real runtime. */
import assert from "node:assert/strict";
import { test } from "../../harness.ts";
import { runInFreshProcess } from "../../fresh_process.ts";
import {
  checkpoint,
  GiB,
  isStarted,
  limitAllocations,
  LimitExceeded,
  limitGlobalMemory,
  limitWithToken,
  MiB,
  start,
  stop,
  Token,
} from "../../../mod.ts";
import { residentChunk, residentNow, tick, withEngine } from "../fixture.ts";

test("engine: a limit called before start() throws an Error that says to call start()", () => {
  assert.equal(isStarted(), false);
  const task = () => 1;
  for (
    const call of [
      () => limitGlobalMemory(task, { limit: GiB }),
      () => limitAllocations(task, { limit: GiB }),
      () => limitWithToken(task, { token: new Token() }),
    ]
  ) {
    assert.throws(call, (e: unknown) => {
      assert.ok(e instanceof Error);
      assert.match(e.message, /call start\(\) first/);
      return true;
    });
  }
});

test("engine: start() twice throws; stop() then start() works; the Engine disposes", () => {
  const engine = start();
  try {
    assert.equal(isStarted(), true);
    assert.throws(() => start(), /already started/);
  } finally {
    engine.stop();
  }
  assert.equal(isStarted(), false);
  stop(); // idempotent
  {
    using _engine = start();
    assert.equal(isStarted(), true);
  }
  assert.equal(isStarted(), false);
  // An old handle does not stop a later start.
  const old = start();
  stop();
  const current = start();
  old.stop();
  assert.equal(isStarted(), true);
  current.stop();
  assert.equal(isStarted(), false);
});

test("engine: options less accurate than the default, or malformed, are refused", () => {
  assert.throws(() => start({ samplingInterval: 20 }), {
    name: "RangeError",
    message: /options\.samplingInterval must be between 1 and 10 ms/,
  });
  assert.throws(() => start({ samplingInterval: 0.5 }), RangeError);
  assert.throws(() => start({ samplingInterval: NaN }), RangeError);
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => start({ samplingInterval: "5" as any }),
    { name: "TypeError", message: /options\.samplingInterval/ },
  );
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => start({ samplingInterval: null as any }),
    {
      name: "TypeError",
      message:
        "options.samplingInterval must be a number of milliseconds, got null",
    },
  );
  // deno-lint-ignore no-explicit-any
  assert.throws(() => start(42 as any), {
    name: "TypeError",
    message: "options must be an object or undefined, got number",
  });
  // A misspelt key is refused, not ignored.
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => start({ samplingIntervall: 2 } as any),
    {
      name: "TypeError",
      message:
        "options.samplingIntervall is not an option of start(); accepted: samplingInterval",
    },
  );
  assert.equal(isStarted(), false, "nothing half-done after a refusal");
  start({ samplingInterval: 2 }).stop();
});

test("engine: stop() is refused while a limited task is pending", async () => {
  await withEngine(async () => {
    let release = () => {};
    const pending = limitGlobalMemory(
      () => new Promise<void>((resolve) => release = resolve),
      { limit: 64 * GiB },
    );
    assert.throws(() => stop(), /pending/);
    release();
    const r = await pending;
    assert.deepEqual([r.ok, r.ok && r.value], [true, undefined]);
  });
});

test("engine: the timer interrupts an async task that never calls checkpoint()", async () => {
  await withEngine(async () => {
    const limit = residentNow() + 96 * MiB;
    const kept: Uint8Array[] = [];
    const r = await limitGlobalMemory(async (signal) => {
      // 4 GiB would be reached without the engine.
      while (!signal.aborted && kept.length < 512) {
        kept.push(residentChunk(8));
        await tick();
      }
      return kept.length;
    }, { limit });
    assert.equal(r.ok, false);
    assert.ok(!r.ok && r.error instanceof LimitExceeded);
    assert.equal(r.error.kind, "memory");
    assert.ok(kept.length < 512, `stopped after ${kept.length} chunks`);
  });
});

test("engine: sampled checkpoints interrupt a synchronous loop", async () => {
  await withEngine(async () => {
    const limit = residentNow() + 96 * MiB;
    let chunks = 0;
    const kept: Uint8Array[] = [];
    const r = await limitGlobalMemory(() => {
      for (; chunks < 512; chunks++) {
        // Many cheap checkpoints per chunk, as a real loop would have.
        for (let j = 0; j < 10_000; j++) checkpoint();
        kept.push(residentChunk(8));
      }
      return chunks;
    }, { limit });
    assert.equal(r.ok, false);
    assert.ok(chunks < 512, `stopped after ${chunks} chunks`);
    kept.length = 0;
  });
});

test("engine: checkpoint() outside a limited task never throws", async () => {
  checkpoint();
  await withEngine(async () => {
    const token = new Token();
    const pending = limitWithToken(async () => {
      token.cancel();
      await tick();
      return 1;
    }, { token });
    for (let i = 0; i < 100_000; i++) checkpoint(); // not inside the task
    assert.equal((await pending).ok, false);
  });
});

test("engine: its timer never keeps the process alive", () => {
  const child = runInFreshProcess(
    new URL("./pending_limit_script.ts", import.meta.url),
  );
  assert.equal(child.signal, null, "the child had to be killed: it hung");
  assert.equal(child.status, 0, String(child.stderr));
  assert.match(String(child.stdout), /limit pending/);
});
