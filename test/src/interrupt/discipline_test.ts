/**
 * The result discipline and interrupt delivery: { ok: false } if and only if
 * this limit instance was reached, whatever the task did next; the interrupt
 * keeps arising until the task settles; nesting and concurrency.
 */
import assert from "node:assert/strict";
import { test } from "../../harness.ts";
import {
  checkpoint,
  GiB,
  isInterrupted,
  LimitExceeded,
  limitGlobalMemory,
  limitWithToken,
  MiB,
  Token,
} from "../../../mod.ts";
import {
  residentChunk,
  residentNow,
  tick,
  withEngine,
  withoutUsage,
} from "../fixture.ts";

/** Runs `body` under a token limit that is cancelled after one tick; returns the result. */
function cancelledWhileRunning<T>(body: () => Promise<T>) {
  const token = new Token();
  setTimeout(() => token.cancel("test"), 1);
  return limitWithToken(body, { token });
}

/** Waits (across ticks) until the current task is interrupted. */
async function untilInterrupted(): Promise<void> {
  for (let i = 0; i < 5000 && !isInterrupted(); i++) await tick(1);
}

test("discipline: a task that returns after the interrupt gives ok:false with the interrupt", async () => {
  await withEngine(async () => {
    const r = await cancelledWhileRunning(async () => {
      await untilInterrupted();
      return "swallowed";
    });
    assert.ok(!r.ok && r.error instanceof LimitExceeded);
    assert.equal(r.error.kind, "token");
  });
});

test("discipline: a task that rethrows the interrupt gives ok:false with it", async () => {
  await withEngine(async () => {
    let thrown: unknown;
    const r = await cancelledWhileRunning(async () => {
      await untilInterrupted();
      try {
        checkpoint();
      } catch (e) {
        thrown = e;
        throw e;
      }
    });
    assert.ok(thrown instanceof LimitExceeded);
    assert.ok(!r.ok);
    assert.equal(r.error, thrown);
  });
});

test("discipline: a task that throws something else after the interrupt gives ok:false with that", async () => {
  await withEngine(async () => {
    const other = new TypeError("broken by the interrupt");
    const r = await cancelledWhileRunning(async () => {
      await untilInterrupted();
      throw other;
    });
    assert.ok(!r.ok);
    assert.equal(r.error, other);
  });
});

test("discipline: an unrelated exception rejects unchanged when the limit was not reached", async () => {
  await withEngine(async () => {
    const failure = new RangeError("unrelated");
    await assert.rejects(
      limitWithToken(async () => {
        await tick();
        throw failure;
      }, { token: new Token() }),
      (e) => e === failure,
    );
    await assert.rejects(
      limitGlobalMemory(() => {
        throw failure;
      }, { limit: 64 * GiB }),
      (e) => e === failure,
    );
  });
});

test("discipline: after the first interrupt every later checkpoint throws it until the task settles", async () => {
  await withEngine(async () => {
    let throws = 0;
    let first: unknown;
    const r = await cancelledWhileRunning(async () => {
      await untilInterrupted();
      for (let i = 0; i < 1000; i++) {
        try {
          checkpoint();
        } catch (e) {
          first ??= e;
          assert.equal(e, first, "the same interrupt each time");
          throws++;
        }
        if (i % 100 === 0) await tick();
      }
      return throws;
    });
    assert.equal(throws, 1000);
    assert.equal(r.ok, false);
    checkpoint(); // settled: outside the task nothing arises
    assert.equal(isInterrupted(), false);
  });
});

test("discipline: code a task left running after it settled is not interrupted by checkpoints, its signal stays aborted", async () => {
  await withEngine(async () => {
    const token = new Token();
    let release = () => {};
    let leftover: Promise<{ throws: number; aborted: boolean }> | undefined;
    const r = await limitWithToken(async (signal) => {
      // A continuation created inside the task: it keeps the task's context.
      leftover = new Promise<void>((resolve) => release = resolve).then(() => {
        let throws = 0;
        for (let i = 0; i < 100_000; i++) {
          try {
            checkpoint();
          } catch {
            throws++;
          }
        }
        return { throws, aborted: signal.aborted };
      });
      token.cancel();
      await tick();
    }, { token });
    assert.equal(r.ok, false);
    release();
    assert.deepEqual(await leftover, { throws: 0, aborted: true });
  });
});

test("discipline: the signal aborts with the LimitExceeded reason (real memory limit)", async () => {
  await withEngine(async () => {
    const limit = residentNow() + 96 * MiB;
    const kept: Uint8Array[] = [];
    let reason: unknown;
    const r = await limitGlobalMemory(
      (signal) =>
        new Promise<void>((resolve) => {
          let timer: ReturnType<typeof setTimeout> | undefined;
          signal.addEventListener("abort", () => {
            reason = signal.reason;
            clearTimeout(timer);
            resolve();
          });
          const grow = () => {
            if (kept.length >= 256) return resolve();
            kept.push(residentChunk(8));
            timer = setTimeout(grow, 0);
          };
          grow();
        }),
      { limit },
    );
    assert.ok(reason instanceof LimitExceeded);
    assert.equal(reason.kind, "memory");
    assert.ok(!r.ok);
    assert.equal(r.error, reason);
  });
});

test("nesting: an outer limit reached while an inner one runs rejects the inner call with the outer interrupt", async () => {
  await withEngine(async () => {
    const outerToken = new Token();
    let innerSignal: AbortSignal | undefined;
    let innerRejection: unknown;
    const outer = await limitWithToken(async () => {
      try {
        await limitWithToken(async (signal) => {
          innerSignal = signal;
          outerToken.cancel("outer");
          await tick();
          return "inner swallowed it";
        }, { token: new Token() });
      } catch (e) {
        innerRejection = e;
        throw e;
      }
    }, { token: outerToken });
    assert.ok(innerRejection instanceof LimitExceeded);
    assert.equal(innerRejection.cause, "outer");
    assert.equal(
      innerSignal?.reason,
      innerRejection,
      "inner signal aborted too",
    );
    assert.ok(!outer.ok);
    assert.equal(outer.error, innerRejection);
  });
});

test("nesting: an outer memory limit reached in an inner token limit (real allocations)", async () => {
  await withEngine(async () => {
    const limit = residentNow() + 96 * MiB;
    const kept: Uint8Array[] = [];
    let inner: unknown;
    const outer = await limitGlobalMemory(async () => {
      await limitWithToken(async () => {
        while (kept.length < 256) {
          kept.push(residentChunk(8));
          await tick();
          checkpoint();
        }
      }, { token: new Token() }).catch((e) => {
        inner = e;
        throw e;
      });
    }, { limit });
    assert.ok(inner instanceof LimitExceeded);
    assert.equal(inner.kind, "memory");
    assert.ok(!outer.ok);
    assert.ok(kept.length < 256);
  });
});

test("nesting: an inner limit reached gives the inner ok:false and leaves the outer ok:true", async () => {
  await withEngine(async () => {
    const outer = await limitGlobalMemory(async () => {
      const innerToken = new Token();
      const inner = await limitWithToken(async () => {
        innerToken.cancel();
        await tick();
        checkpoint();
      }, { token: innerToken });
      checkpoint(); // the inner interrupt does not arise out here
      return inner.ok;
    }, { limit: 64 * GiB });
    assert.deepEqual(withoutUsage(outer), { ok: true, value: false });
  });
});

test("concurrency: a limit reached in one task never produces an Error in a concurrent task", async () => {
  await withEngine(async () => {
    const lowLimit = residentNow() + 96 * MiB;
    const kept: Uint8Array[] = [];
    const bystanderToken = new Token();
    let bystanderChecks = 0;
    const [hog, bystander] = await Promise.all([
      limitGlobalMemory(async () => {
        while (kept.length < 256) {
          kept.push(residentChunk(8));
          await tick();
          checkpoint();
        }
      }, { limit: lowLimit }),
      limitWithToken(async () => {
        for (let i = 0; i < 200; i++) {
          for (let j = 0; j < 1000; j++) checkpoint();
          bystanderChecks++;
          await tick();
        }
        return "unharmed";
      }, { token: bystanderToken }),
    ]);
    assert.equal(hog.ok, false);
    assert.deepEqual(withoutUsage(bystander), { ok: true, value: "unharmed" });
    assert.equal(bystanderChecks, 200);
  });
});

test("concurrency: cancelling one token leaves a sibling with its own token untouched", async () => {
  await withEngine(async () => {
    const a = new Token();
    const b = new Token();
    const results = await Promise.all([
      limitWithToken(async () => {
        await tick(2);
        a.cancel();
        await tick(2);
        checkpoint();
      }, { token: a }),
      limitWithToken(async (signal) => {
        await tick(10);
        checkpoint();
        return signal.aborted;
      }, { token: b }),
    ]);
    assert.equal(results[0].ok, false);
    assert.deepEqual(withoutUsage(results[1]), { ok: true, value: false });
  });
});

/** Allocates resident memory until the current task is interrupted, then ends as `ending` says. */
function memoryTaskEnding(ending: "returns" | "rethrows" | "throws other") {
  const other = new SyntaxError("failed while being interrupted");
  const kept: Uint8Array[] = [];
  const task = async () => {
    try {
      while (kept.length < 256) {
        kept.push(residentChunk(8));
        await tick();
        checkpoint();
      }
      return "never interrupted";
    } catch (e) {
      if (ending === "returns") return "swallowed";
      if (ending === "rethrows") throw e;
      throw other;
    } finally {
      kept.length = 0;
    }
  };
  return { task, other };
}

for (const ending of ["returns", "rethrows", "throws other"] as const) {
  test(`discipline: a real memory limit gives ok:false when the task ${ending} after the interrupt`, async () => {
    await withEngine(async () => {
      const { task, other } = memoryTaskEnding(ending);
      const r = await limitGlobalMemory(task, {
        limit: residentNow() + 96 * MiB,
      });
      assert.equal(r.ok, false);
      assert.ok(!r.ok);
      if (ending === "throws other") assert.equal(r.error, other);
      else {
        assert.ok(r.error instanceof LimitExceeded);
        assert.equal(r.error.kind, "memory");
      }
    });
  });
}
