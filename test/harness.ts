/**
 * One test registration for both runtimes.
 *
 * Deno's `node:test` shim turns Deno's resource sanitizers off, so under Deno
 * tests register with `Deno.test` (op, resource and exit sanitizers on: a leaked
 * timer, worker or listener fails the test). Under Bun they register with
 * `node:test`, which `bun test` runs natively.
 */
import { test as nodeTest } from "node:test";

/** A test body; may be async. */
export type TestFn = () => void | Promise<void>;

/** Options shared by both runtimes. */
export interface TestOptions {
  /** Skip this test (with a reason printed by the runner). */
  skip?: boolean;
}

// deno-lint-ignore no-explicit-any
const deno = (globalThis as any).Deno as
  | { test(def: { name: string; fn: TestFn; ignore?: boolean }): void }
  | undefined;

/**
 * Registers a test that runs under `deno test` (sanitizers on) and `bun test`.
 *
 * @example
 * ```ts
 * import { test } from "./harness.ts";
 * import assert from "node:assert/strict";
 * test("adds", () => assert.equal(1 + 1, 2));
 * ```
 */
export function test(
  name: string,
  fn: TestFn,
  options: TestOptions = {},
): void {
  if (deno) deno.test({ name, fn, ignore: options.skip ?? false });
  else nodeTest(name, { skip: options.skip ?? false }, fn);
}

/** True when running under Bun. */
export const isBun =
  typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";
/** True when running under Deno. */
export const isDeno = deno !== undefined;
/** True when running under Node (neither Deno nor Bun). */
export const isNode = !isBun && !isDeno;
