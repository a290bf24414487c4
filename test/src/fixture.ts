/** Shared helpers for the engine and limit tests: a started engine per test, real allocations. */
import { start } from "../../mod.ts";
import { currentMeter } from "../../src/meters/mod.ts";
import { MiB } from "../../src/units.ts";

/** Runs `fn` with the engine started, and stops it afterwards whatever happens. */
export async function withEngine(
  fn: () => Promise<void> | void,
  options?: { samplingInterval?: number },
): Promise<void> {
  const engine = start(options);
  try {
    await fn();
  } finally {
    engine.stop();
  }
}

/** Resolves after one macrotask turn (lets the engine's timer fire). */
export function tick(ms = 0): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A filled (so resident) chunk of `mib` MiB. */
export function residentChunk(mib: number): Uint8Array {
  return new Uint8Array(mib * MiB).fill(1);
}

/** The process's resident memory now, in bytes. */
export function residentNow(): number {
  return currentMeter().residentBytes();
}

/** Whether the runtime has an allocation counter (Deno yes; Bun 1.4.5 no). */
export const countsAllocations = currentMeter().countsAllocations;

/**
 * A limit's result without its `usage` (checked to be there, with a wall
 * time), for comparing results as values.
 */
export function withoutUsage(
  result: { usage?: { wallMs?: unknown } },
): Record<string, unknown> {
  const { usage, ...rest } = result;
  if (typeof usage?.wallMs !== "number") {
    throw new Error(`the result has no usage.wallMs: ${JSON.stringify(usage)}`);
  }
  return rest;
}
