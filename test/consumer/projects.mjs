// The consumer projects: copies of test/consumer/project/ (a host, a task
// module, a path-aliased module and a local package of the project's own)
// made in the workspace, and the checks their host's report must pass.
import assert from "node:assert/strict";
import { cpSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { workspace } from "./packages.mjs";

const template = join(dirname(fileURLToPath(import.meta.url)), "project");

/** Copies the project template to `<workspace>/<name>` and returns its path. */
export function newProject(name) {
  const dir = join(workspace, name);
  cpSync(template, dir, { recursive: true });
  return dir;
}

/** Parses the host's one-line JSON report, failing with its output if there is none. */
export function parseReport({ status, stdout, stderr }) {
  const line = stdout.trim().split("\n").at(-1) ?? "";
  assert.ok(
    line.startsWith("{"),
    `the host printed no report (status ${status}):\n${stdout}\n${stderr}`,
  );
  return JSON.parse(line);
}

/** The in-thread limits: one task completes, one is stopped by its token. */
export function checkInThread(report) {
  assert.deepEqual(report.inThreadMemory, { ok: true, value: 42 });
  assert.deepEqual(report.inThreadToken, { ok: false, kind: "token" });
}

/** `actual` within the core's documented relative error (1e-12) of `expected`. */
function assertClose(actual, expected, what) {
  assert.ok(
    Math.abs(actual / expected - 1) < 1e-12,
    `${what}: ${actual}, expected ${expected}`,
  );
}

/** The statistics, against closed forms (binomial sums over 16 outcomes). */
export function checkStats(report) {
  const s = report.stats;
  assertClose(s.ibeta, 11 / 16, "I_0.5(2, 3) = P[Bin(4, 1/2) >= 2]");
  assertClose(s.interruptProbability, 11 / 16, "k = l·p = 2 of n = 4");
  assertClose(s.triggerProbability, 3 / 4, "1 - (1/2)^2");
  // The seed's example: keeping 100 KiB (12.8 kw) safe at 1e-9 takes about 1 MiB.
  assert.ok(
    s.recommendedLimit > 125_000 && s.recommendedLimit < 135_000,
    String(s.recommendedLimit),
  );
  assert.ok(
    Math.abs(s.atRecommendedLimit / 1e-9 - 1) < 1e-6,
    String(s.atRecommendedLimit),
  );
}

/** The pool: the task's value, the bomb stopped by memoryLimit, a fresh worker after it. */
export function checkPool(report) {
  assert.deepEqual(report.poolGreet, {
    ok: true,
    value: "HELLO POOL! (from lib/)",
  });
  assert.deepEqual(report.poolBomb, { ok: false, kind: "memory" });
  assert.deepEqual(report.poolAfterBomb, {
    ok: true,
    value: "HELLO AGAIN! (from lib/)",
  });
}
