/** withResource: acquire and release are masked; release runs exactly once. */
import assert from "node:assert/strict";
import { test } from "../../harness.ts";
import {
  checkpoint,
  GiB,
  isInterrupted,
  LimitExceeded,
  limitGlobalMemory,
  limitWithToken,
  Token,
  withResource,
} from "../../../mod.ts";
import { tick, withEngine, withoutUsage } from "../fixture.ts";

/** A resource that records what happened to it. */
function recorder(
  hooks: { onAcquire?: () => void; onRelease?: () => void } = {},
) {
  const log: string[] = [];
  return {
    log,
    resource: {
      acquire: async () => {
        log.push("acquire");
        hooks.onAcquire?.();
        await tick();
        checkpoint(); // masked: never throws
        log.push(`acquire-interrupted:${isInterrupted()}`);
        return "handle";
      },
      release: async (handle: string) => {
        hooks.onRelease?.();
        await tick();
        checkpoint(); // masked: never throws
        log.push(`release:${handle}`);
      },
    },
  };
}

test("withResource: an interrupt during acquire is delivered after it, and release runs once", async () => {
  await withEngine(async () => {
    const token = new Token();
    const { log, resource } = recorder({ onAcquire: () => token.cancel() });
    let used = false;
    const r = await limitWithToken(
      () => withResource(resource, () => used = true),
      { token },
    );
    assert.deepEqual(log, [
      "acquire",
      "acquire-interrupted:false",
      "release:handle",
    ]);
    assert.equal(
      used,
      false,
      "delivered at the first checkpoint after acquire",
    );
    assert.ok(!r.ok && r.error instanceof LimitExceeded);
  });
});

test("withResource: an interrupt during release is delivered at the next checkpoint", async () => {
  await withEngine(async () => {
    const token = new Token();
    const { log, resource } = recorder({ onRelease: () => token.cancel() });
    let after: unknown;
    const r = await limitWithToken(async () => {
      const value = await withResource(resource, (h) => h.toUpperCase());
      try {
        checkpoint();
      } catch (e) {
        after = e;
      }
      return value;
    }, { token });
    assert.deepEqual(log, [
      "acquire",
      "acquire-interrupted:false",
      "release:handle",
    ]);
    assert.ok(after instanceof LimitExceeded);
    assert.equal(r.ok, false);
  });
});

test("withResource: release runs exactly once when use returns, throws or is interrupted", async () => {
  await withEngine(async () => {
    // returns
    let rec = recorder();
    const ok = await limitGlobalMemory(
      () => withResource(rec.resource, (h) => h.length),
      { limit: 64 * GiB },
    );
    assert.deepEqual(withoutUsage(ok), { ok: true, value: 6 });
    assert.equal(rec.log.filter((l) => l.startsWith("release")).length, 1);

    // throws something unrelated
    rec = recorder();
    const failure = new Error("use failed");
    await assert.rejects(
      limitGlobalMemory(() =>
        withResource(rec.resource, () => {
          throw failure;
        }), { limit: 64 * GiB }),
      (e) => e === failure,
    );
    assert.equal(rec.log.filter((l) => l.startsWith("release")).length, 1);

    // interrupted inside use
    rec = recorder();
    const token = new Token();
    const r = await limitWithToken(
      () =>
        withResource(rec.resource, async () => {
          token.cancel();
          await tick();
          checkpoint();
          return "unreachable";
        }),
      { token },
    );
    assert.equal(r.ok, false);
    assert.equal(rec.log.filter((l) => l.startsWith("release")).length, 1);
  });
});

test("withResource: a failing acquire is not released; outside a task it just runs", async () => {
  let released = 0;
  await assert.rejects(
    withResource({
      acquire: () => {
        throw new Error("no");
      },
      release: () => {
        released++;
      },
    }, () => 1),
    /no/,
  );
  assert.equal(released, 0);
  const v = await withResource({
    acquire: () => 2,
    release: () => {
      released++;
    },
  }, (x) => x * 21);
  assert.equal(v, 42);
  assert.equal(released, 1);
});

test("withResource: bad input gets a TypeError naming the parameter", async () => {
  // deno-lint-ignore no-explicit-any
  const untyped = withResource as any;
  await assert.rejects(untyped({ acquire: () => 1 }, () => 1), {
    name: "TypeError",
    message: /resource must be an object with acquire\(\) and release/,
  });
  await assert.rejects(
    untyped({ acquire: () => 1, release: () => {} }, 5),
    { name: "TypeError", message: "use must be a function, got number" },
  );
  await assert.rejects(untyped(null, () => 1), {
    name: "TypeError",
    message:
      "resource must be an object with acquire() and release(resource) methods, got null",
  });
});
