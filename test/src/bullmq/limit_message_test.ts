// The failedReason of a job a limit stopped: kind, limit and observation.
import assert from "node:assert/strict";
import { LimitExceeded, MiB, Token } from "../../../mod.ts";
import { limitMessage } from "../../../src/bullmq/limit_message.ts";
import { test } from "../../harness.ts";

test("bullmq limitMessage: names the kind, the limit and what was observed, in binary units", () => {
  const cases: [LimitExceeded, string][] = [
    [
      new LimitExceeded("memory", 256 * MiB, 270.4 * MiB),
      "memory limit of 256 MiB exceeded (observed 270.4 MiB)",
    ],
    [
      new LimitExceeded("allocations", 64 * MiB, 64.5 * MiB),
      "allocation limit of 64 MiB exceeded (observed 64.5 MiB)",
    ],
    [
      new LimitExceeded("timeout", 500, 503.24),
      "timeout of 500 ms exceeded (observed 503 ms)",
    ],
    [
      new LimitExceeded("cpu", 30_000, 30_012),
      "CPU time limit of 30000 ms exceeded (observed 30012 ms)",
    ],
    [new LimitExceeded("memory"), "memory limit exceeded"],
  ];
  for (const [error, text] of cases) {
    assert.equal(limitMessage(error), `memlimits stopped the job: ${text}`);
  }
  const token = new Token();
  token.cancel("shutting down");
  assert.equal(
    limitMessage(token.signal.reason),
    "memlimits stopped the job: task cancelled: shutting down",
  );
});
