/** limitWithToken with Tokens and AbortSignals. */
import assert from "node:assert/strict";
import { test } from "../../harness.ts";
import { LimitExceeded, limitWithToken, Token } from "../../../mod.ts";
import { tick, withEngine } from "../fixture.ts";

test("limitWithToken: cancelling the token aborts the signal with a LimitExceeded and gives ok:false", async () => {
  await withEngine(async () => {
    const token = new Token();
    let seen: unknown;
    const pending = limitWithToken(
      (signal) =>
        new Promise((resolve) => {
          signal.addEventListener("abort", () => {
            seen = signal.reason;
            resolve("stopped");
          });
        }),
      { token },
    );
    await tick();
    token.cancel("user stop");
    const r = await pending;
    assert.equal(r.ok, false);
    assert.ok(seen instanceof LimitExceeded);
    assert.equal(seen.kind, "token");
    assert.equal(seen.cause, "user stop");
    assert.ok(!r.ok);
    assert.equal(
      r.error,
      seen,
      "the task returned: the error is the interrupt",
    );
  });
});

test("limitWithToken: an aborted AbortSignal interrupts with kind token and the reason as cause", async () => {
  await withEngine(async () => {
    const controller = new AbortController();
    const reason = new Error("go away");
    const pending = limitWithToken(async (signal) => {
      await tick();
      controller.abort(reason);
      signal.throwIfAborted();
    }, { token: controller.signal });
    const r = await pending;
    assert.ok(!r.ok && r.error instanceof LimitExceeded);
    assert.equal(r.error.kind, "token");
    assert.equal(r.error.cause, reason);
    assert.equal(r.error.message, "task cancelled: Error: go away");
  });
});

test("limitWithToken: a token cancelled before the call gives ok:false without running the task", async () => {
  await withEngine(async () => {
    const token = new Token();
    token.cancel();
    let ran = false;
    const r = await limitWithToken(() => ran = true, { token });
    assert.equal(r.ok, false);
    assert.equal(ran, false);
  });
});

test("limitWithToken: not cancelled gives ok:true; a later cancel changes nothing", async () => {
  await withEngine(async () => {
    const token = new Token();
    const r = await limitWithToken(async () => {
      await tick();
      return 7;
    }, { token });
    token.cancel();
    assert.deepEqual([r.ok, r.ok && r.value], [true, 7]);
  });
});

test("limitWithToken: bad input gets a TypeError naming the parameter", async () => {
  await withEngine(() => {
    for (const token of [undefined, null, {}, new AbortController()]) {
      assert.throws(
        // deno-lint-ignore no-explicit-any
        () => limitWithToken(() => 1, { token: token as any }),
        {
          name: "TypeError",
          message: /options\.token must be a Token or an AbortSignal/,
        },
      );
    }
    assert.throws(
      // deno-lint-ignore no-explicit-any
      () => limitWithToken(() => 1, { token: new AbortController() as any }),
      {
        name: "TypeError",
        message:
          "options.token must be a Token or an AbortSignal, got object (AbortController)",
      },
    );
    // A misspelt key is refused, not ignored.
    assert.throws(
      () =>
        limitWithToken(
          () => 1,
          // deno-lint-ignore no-explicit-any
          { token: new Token(), signal: new Token().signal } as any,
        ),
      {
        name: "TypeError",
        message:
          "options.signal is not an option of limitWithToken(); accepted: token",
      },
    );
  });
});
