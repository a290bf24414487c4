/**
 * Detection experiment (not a test): how far past its limit a task gets
 * before the engine interrupts it, at a steady allocation rate, against what
 * the statistics core predicts for the engine's default sampling interval.
 *   deno run -A --v8-flags=--expose-gc bench/engine_detection.ts [trials]
 *   bun bench/engine_detection.ts [trials]
 * (A full GC between heap trials returns the dropped ArrayBuffers: without
 * it V8 lets gigabytes of them pile up.)
 *
 * Each trial runs one async task that allocates 64 KiB per event loop turn,
 * paced to a steady 1 GiB/s, and stops when its signal aborts. The overshoot is the reading
 * at the interrupt minus the limit (LimitExceeded.observed - limit). The
 * rate R is measured in each trial up to the limit. The model: readings
 * form a Poisson process of mean interval tau, so per byte the sampling rate
 * is p = 1/(R·tau) and the overshoot is exponential with mean R·tau:
 * median ln2/p, p99 ln100/p, and after detectionAllocations(1e-9, p) bytes
 * the chance of no interrupt is below 1e-9.
 *
 * Modes: "allocations" (limitAllocations, where the runtime counts
 * allocations) and "heap" (limitGlobalMemory with measure "heap", kept
 * ArrayBuffers; both runtimes).
 */
import {
  limitAllocations,
  LimitExceeded,
  limitGlobalMemory,
  MiB,
  start,
} from "../mod.ts";
import { setImmediate } from "node:timers";
import { DEFAULT_SAMPLING_INTERVAL_MS } from "../src/engine/options.ts";
import { currentMeter } from "../src/meters/mod.ts";
import { detectionAllocations } from "../stats/mod.ts";
import { quantile, runtimeLabel } from "./summary.ts";

const trials = Number(
  (globalThis as { Deno?: { args: string[] } }).Deno?.args[0] ??
    (globalThis as { process?: { argv: string[] } }).process?.argv[2] ?? 200,
) || 200;
const meter = currentMeter();

const tau = DEFAULT_SAMPLING_INTERVAL_MS;
/** The steady rate the trials hold: 64 KiB per turn, paced to 1 GiB/s. */
const CHUNK = 64 * 1024;
const TARGET_BYTES_PER_MS = 1024 * MiB / 1000;

/** Busy-waits until `turns` chunks are due since `t0`, keeping the rate steady. */
function pace(t0: number, turns: number): void {
  const due = t0 + (turns * CHUNK) / TARGET_BYTES_PER_MS;
  while (
    performance.now() < due
  ) { /* spin: the thread is busy, like real work */ }
}
// setImmediate: one event loop turn without the 4 ms clamp of nested timeouts.
const turn = () => new Promise((r) => setImmediate(r));

interface Trial {
  overshoot: number;
  rate: number; // bytes per ms
}

/** Allocates ~64 KiB of short-lived objects per turn (an object, a string and a slot per element). */
async function allocationTrial(limit: number): Promise<Trial> {
  const t0 = performance.now();
  let abortedAt = 0;
  const r = await limitAllocations(async (signal) => {
    signal.addEventListener("abort", () => abortedAt = performance.now());
    let window: unknown[] = [];
    for (let turns = 1; !signal.aborted; turns++) {
      for (let i = 0; i < 1024; i++) {
        window.push({ i, s: "v" + i });
        if (window.length === 256) window = [];
      }
      pace(t0, turns);
      await turn();
    }
  }, { limit });
  if (r.ok || !(r.error instanceof LimitExceeded)) {
    throw new Error("no interrupt");
  }
  return {
    overshoot: r.error.observed! - limit,
    rate: r.error.observed! / (abortedAt - t0),
  };
}

/** Keeps a 64 KiB ArrayBuffer per turn until interrupted. */
async function heapTrial(extra: number): Promise<Trial> {
  const limit = meter.heapBytes() + extra;
  const t0 = performance.now();
  let kept: ArrayBuffer[] = [];
  let abortedAt = 0;
  const r = await limitGlobalMemory(async (signal) => {
    signal.addEventListener("abort", () => abortedAt = performance.now());
    for (let turns = 1; !signal.aborted; turns++) {
      kept.push(new ArrayBuffer(CHUNK));
      pace(t0, turns);
      await turn();
    }
  }, { limit, measure: "heap" });
  const bytes = kept.length * CHUNK;
  kept = [];
  collectGarbage();
  if (r.ok || !(r.error instanceof LimitExceeded)) {
    throw new Error("no interrupt");
  }
  return {
    overshoot: r.error.observed! - limit,
    rate: bytes / (abortedAt - t0),
  };
}

/** A full GC where the runtime offers one (Deno with --expose-gc, Bun). */
function collectGarbage(): void {
  const g = globalThis as {
    gc?: () => void;
    Bun?: { gc(sync: boolean): void };
  };
  if (g.Bun) g.Bun.gc(true);
  else g.gc?.();
}

function report(mode: string, results: Trial[]): void {
  const over = results.map((r) => r.overshoot);
  const rate = results.reduce((s, r) => s + r.rate, 0) / results.length;
  const p = 1 / (rate * tau);
  const kib = (x: number) => `${(x / 1024).toFixed(0)} KiB`;
  console.log(
    `${mode}: ${results.length} trials, rate ${
      (rate * 1000 / MiB).toFixed(1)
    } MiB/s, tau ${tau} ms, p = 1/(R·tau) = ${p.toExponential(3)} per byte`,
  );
  console.log(
    `  measured overshoot: median ${kib(quantile(over, 0.5))}, p99 ${
      kib(quantile(over, 0.99))
    }, max ${kib(Math.max(...over))}`,
  );
  console.log(
    `  predicted (exponential, mean R·tau = ${kib(1 / p)}): median ${
      kib(Math.LN2 / p)
    }, p99 ${
      kib(Math.log(100) / p)
    }, 1e-9 bound detectionAllocations(1e-9, p) = ${
      kib(detectionAllocations(1e-9, p))
    }`,
  );
}

console.log(
  `engine_detection, ${runtimeLabel}, meter ${meter.name}, ${
    new Date().toISOString()
  }`,
);
using _engine = start();
if (meter.countsAllocations) {
  const results: Trial[] = [];
  for (let i = 0; i < trials; i++) {
    results.push(await allocationTrial(16 * MiB));
  }
  report("allocations (limitAllocations, 16 MiB)", results);
}
{
  const results: Trial[] = [];
  for (let i = 0; i < trials; i++) results.push(await heapTrial(16 * MiB));
  report("heap (limitGlobalMemory measure heap, +16 MiB)", results);
}
