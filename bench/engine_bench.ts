/**
 * Engine overhead, one run, baselines side by side (not a test):
 *   deno run -A bench/engine_bench.ts      bun bench/engine_bench.ts
 *
 * 1. `checkpoint()` when not sampled: a loop of checkpoints against the same
 *    loop without them, with a limit pending (so the countdown runs and
 *    sampled calls read the meter) and with the engine idle.
 * 2. An allocation-heavy async workload (JSON stringify/parse and object
 *    churn, yielding to the event loop) bare, inside `limitGlobalMemory`
 *    (both measures) and inside `limitAllocations` (where the runtime counts
 *    allocations), engine on. Runs are interleaved in rotating order, 31 rounds; medians
 *    and the interquartile range of the ratio's numerator.
 */
import {
  checkpoint,
  GiB,
  limitAllocations,
  limitGlobalMemory,
  start,
} from "../mod.ts";
import { sampleNow } from "../src/engine/engine.ts";
import { DEFAULT_SAMPLING_INTERVAL_MS } from "../src/engine/options.ts";
import { currentMeter } from "../src/meters/mod.ts";
import { median, runtimeLabel } from "./summary.ts";

const meter = currentMeter();

// ---- 1. checkpoint() ------------------------------------------------------
const CALLS = 20_000_000;
let sink = 0;

function loopBare(): number {
  const t = performance.now();
  for (let i = 0; i < CALLS; i++) sink += i & 1;
  return performance.now() - t;
}
function loopCheckpoint(): number {
  const t = performance.now();
  for (let i = 0; i < CALLS; i++) {
    checkpoint();
    sink += i & 1;
  }
  return performance.now() - t;
}

function checkpointCost(label: string): void {
  const bare: number[] = [];
  const withCp: number[] = [];
  for (let r = 0; r < 11; r++) {
    bare.push(loopBare());
    withCp.push(loopCheckpoint());
  }
  const b = median(bare), c = median(withCp);
  console.log(
    `checkpoint() ${label}: ${((c - b) * 1e6 / CALLS).toFixed(2)} ns/call ` +
      `over the bare loop (loop ${(b * 1e6 / CALLS).toFixed(2)} ns/iter, ` +
      `with checkpoint ${(c * 1e6 / CALLS).toFixed(2)} ns/iter, ratio ${
        (c / b).toFixed(2)
      })`,
  );
}

// ---- 2. workload ------------------------------------------------------------
const ROUNDS = 400;
async function workload(): Promise<number> {
  let total = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const rows = Array.from({ length: 200 }, (_, i) => ({
      id: i,
      name: `row-${round}-${i}`,
      tags: ["a", "b", String(i % 7)],
      score: i * 1.5,
    }));
    const text = JSON.stringify(rows);
    const back = JSON.parse(text) as { score: number }[];
    total += back.reduce((s, r) => s + r.score, 0) + text.length;
    if (round % 4 === 0) await new Promise((r) => setTimeout(r, 0));
  }
  return total;
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await run();
  return performance.now() - t;
}

const variants: [string, () => Promise<unknown>][] = [
  ["bare (no library)", () => workload()],
  [
    "limitGlobalMemory, resident",
    () => limitGlobalMemory(() => workload(), { limit: 64 * GiB }),
  ],
  [
    "limitGlobalMemory, heap",
    () =>
      limitGlobalMemory(() => workload(), { limit: 64 * GiB, measure: "heap" }),
  ],
];
if (meter.countsAllocations) {
  variants.push([
    "limitAllocations",
    () => limitAllocations(() => workload(), { limit: 1024 * GiB }),
  ]);
}

console.log(
  `engine_bench, ${runtimeLabel}, meter ${meter.name}, ${
    new Date().toISOString()
  }`,
);
{
  using _engine = start();
  checkpointCost("engine on, no limit pending");
  let release = () => {};
  const pending = limitGlobalMemory(
    () => new Promise<void>((r) => release = r),
    { limit: 64 * GiB },
  );
  checkpointCost("with a limit pending (countdown running, sampled reads)");
  release();
  await pending;

  // The engine's own cost: one sample (meter reads and checks) with one
  // pending limit of each kind, as a share of the default interval. The
  // timer's dispatch (one unref'd setTimeout per sample) comes on top.
  const releases: (() => void)[] = [];
  const hold = (
    kind: string,
    run: (task: () => Promise<void>) => Promise<unknown>,
  ) => {
    const done = run(() => new Promise<void>((r) => releases.push(r)));
    return { kind, done };
  };
  const held = [
    hold("resident", (t) => limitGlobalMemory(t, { limit: 64 * GiB })),
    hold(
      "heap",
      (t) => limitGlobalMemory(t, { limit: 64 * GiB, measure: "heap" }),
    ),
    ...(meter.countsAllocations
      ? [hold("allocations", (t) => limitAllocations(t, { limit: 1024 * GiB }))]
      : []),
  ];
  const samples = 20_000;
  const t = performance.now();
  for (let i = 0; i < samples; i++) sampleNow();
  const perSample = ((performance.now() - t) * 1000) / samples;
  console.log(
    `one engine sample with limits pending (${
      held.map((h) => h.kind).join(", ")
    }): ${perSample.toFixed(2)} µs, ${
      (perSample / (DEFAULT_SAMPLING_INTERVAL_MS * 10)).toFixed(3)
    }% of the ${DEFAULT_SAMPLING_INTERVAL_MS} ms default interval`,
  );
  for (const r of releases) r();
  await Promise.all(held.map((h) => h.done));

  for (let warm = 0; warm < 3; warm++) {
    for (const [, run] of variants) await timed(run);
  }
  const times = new Map<string, number[]>(variants.map(([n]) => [n, []]));
  // Rotate the order each round so that no variant always follows the same
  // one (GC debt carries over from one run to the next).
  for (let r = 0; r < 31; r++) {
    for (let k = 0; k < variants.length; k++) {
      const [name, run] = variants[(r + k) % variants.length];
      times.get(name)!.push(await timed(run));
    }
  }
  const base = median(times.get("bare (no library)")!);
  for (const [name] of variants) {
    const xs = [...times.get(name)!].sort((a, b) => a - b);
    const m = median(xs);
    const q1 = xs[Math.floor(xs.length / 4)];
    const q3 = xs[Math.floor((3 * xs.length) / 4)];
    console.log(
      `workload ${name}: median ${m.toFixed(1)} ms (IQR ${q1.toFixed(1)}-${
        q3.toFixed(1)
      }), ratio ${(m / base).toFixed(4)} (${
        ((m / base - 1) * 100).toFixed(2)
      }%)`,
    );
  }
}
if (sink === -1) console.log(sink);
