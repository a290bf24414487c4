// Runs the calculator as a user does: a subprocess on the runtime running the
// tests (Deno or Bun), for the calculator's tests.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { isDeno } from "../../harness.ts";

/** The repository's root. */
export const root: string = join(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  "..",
);
const main = join(root, "stats", "calc", "main.ts");

/** What a run printed and its exit status. */
export interface Run {
  /** Exit status. */
  status: number | null;
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
}

/** Runs `calc ARGS...` with the current runtime's own executable; `input` goes to its standard input. */
export function calcWithInput(
  input: string | undefined,
  ...args: string[]
): Run {
  const runtimeArgs = isDeno ? ["run", "-A", "--no-check", main] : [main];
  const result = spawnSync(process.execPath, [...runtimeArgs, ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
    input: input ?? "",
  });
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
  };
}

/** Runs `calc ARGS...` with an empty standard input. */
export function calc(...args: string[]): Run {
  return calcWithInput(undefined, ...args);
}

/** Checks that a run printed one JSON object and nothing else, and returns it. */
// deno-lint-ignore no-explicit-any
export function jsonOf(run: Run): any {
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stderr, "");
  assert.equal(run.stdout.trimEnd().split("\n").length, 1, "one line of JSON");
  const value = JSON.parse(run.stdout);
  assert.equal(typeof value, "object");
  assert.ok(value !== null && !Array.isArray(value));
  return value;
}

/** Runs a command with --json and returns the object it printed. */
// deno-lint-ignore no-explicit-any
export function calcJson(...args: string[]): any {
  return jsonOf(calc(...args, "--json"));
}

/** Checks that a run failed with status 2 and one stderr line matching `pattern`. */
export function assertUsageError(
  run: Run,
  pattern: RegExp,
  label: string,
): void {
  assert.equal(run.status, 2, `${label}: ${run.stdout}`);
  assert.equal(run.stdout, "", label);
  assert.equal(
    run.stderr.split("\n").length,
    2,
    `one line: ${label}: ${run.stderr}`,
  );
  assert.match(run.stderr.trimEnd(), pattern, label);
}
