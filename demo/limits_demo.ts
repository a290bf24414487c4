/**
 * Live demo of the in-thread limits, for `npm start` (and runnable alone:
 * `deno run -A demo/limits_demo.ts`, `bun demo/limits_demo.ts`). A task that
 * would exhaust memory is stopped by `limitGlobalMemory`, one that does too
 * much work by `limitAllocations`, and the process goes on.
 *
 * @module
 */
import {
  checkpoint,
  limitAllocations,
  limitGlobalMemory,
  MiB,
  start,
} from "../mod.ts";
import { currentMeter } from "../src/meters/mod.ts";

const mib = (bytes: number) => `${(bytes / MiB).toFixed(0)} MiB`;

/** Runs the demo, printing each step. */
export async function runLimitsDemo(): Promise<void> {
  const meter = currentMeter();
  using _engine = start();
  console.log("\n== memlimits: limits in the current thread");

  // 1. A memory bomb: keeps 16 MiB chunks forever (async, honours its signal).
  const limit = meter.residentBytes() + 256 * MiB;
  let kept: Uint8Array[] = [];
  const bomb = await limitGlobalMemory(async (signal) => {
    for (;;) {
      signal.throwIfAborted();
      kept.push(new Uint8Array(16 * MiB).fill(1));
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }, { limit });
  console.log(
    `memory bomb under limitGlobalMemory(${
      mib(limit)
    } resident): ok=${bomb.ok}` +
      (bomb.ok
        ? ""
        : `, stopped after keeping ${mib(kept.length * 16 * MiB)}: ${
          String(bomb.error)
        }`),
  );
  kept = [];

  // 2. Too much work: a synchronous loop that would allocate without end.
  if (meter.countsAllocations) {
    const work = await limitAllocations(() => {
      let rows: { id: number; text: string }[] = [];
      for (let id = 0;; id++) {
        checkpoint();
        rows.push({ id, text: JSON.stringify({ id, tags: ["a", "b"] }) });
        if (rows.length === 10_000) rows = [];
      }
    }, { limit: 64 * MiB });
    console.log(
      `endless work under limitAllocations(64 MiB): ok=${work.ok}, allocated ${
        mib(work.allocated)
      }` +
        (work.ok ? "" : `: ${String(work.error)}`),
    );
  } else {
    try {
      await limitAllocations(() => 0, { limit: 64 * MiB });
    } catch (e) {
      console.log(`limitAllocations on this runtime: ${(e as Error).message}`);
    }
  }
  console.log(`the process goes on (resident ${mib(meter.residentBytes())})`);
}

if (import.meta.main) await runLimitsDemo();
