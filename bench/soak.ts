/**
 * Soak test of WorkerPool (not in CI: about a minute):
 *   deno run -A --v8-flags=--expose-gc bench/soak.ts [tasks=1000]
 *   bun bench/soak.ts [tasks=1000]
 *
 * Runs `tasks` tasks, several at a time, with random sizes and limits; half
 * of them go over their limit (memory or timeout). Checks every result
 * against what was planned: over → { ok: false } with the right kind, under →
 * { ok: true } with the right value. Reports wrong results, rejections, and
 * the process's RSS before the pool, at its peak, and after close().
 */
import { WorkerPool } from "../mod.ts";
import { residentBytesOf } from "../src/pool/linux/resident_memory.ts";
import { runtimeLabel } from "./summary.ts";

const MiB = 2 ** 20;
const TASKS = new URL("../test/src/pool/fixtures/tasks.ts", import.meta.url);
const total = Number(process.argv[2] ?? 1000);
const SIZE = 4, IN_FLIGHT = 8;

// A small seeded generator, so that a run can be repeated.
let seed = 20261126;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};
const between = (lo: number, hi: number) => lo + (hi - lo) * random();

interface Plan {
  exportName: string;
  args: unknown[];
  limits: { memoryLimit?: number; timeout?: number };
  over: boolean;
  kind: "memory" | "timeout";
  expected?: unknown;
}

function plan(): Plan {
  const over = random() < 0.5;
  if (random() < 0.7) {
    const limit = Math.round(between(32, 128)) * MiB;
    const bytes = Math.round(
      (over ? between(1.3, 2.5) : between(0.05, 0.6)) * limit / MiB,
    ) * MiB;
    return {
      exportName: "hold",
      args: [bytes],
      limits: { memoryLimit: limit },
      over,
      kind: "memory",
      expected: bytes,
    };
  }
  const timeout = Math.round(between(20, 60));
  return over
    ? {
      exportName: "spin",
      args: [],
      limits: { timeout },
      over,
      kind: "timeout",
    }
    : {
      exportName: "busyFor",
      args: [Math.round(between(1, 10))],
      limits: { timeout: 5000 },
      over,
      kind: "timeout",
      expected: undefined,
    };
}

const hostBytes = () => residentBytesOf(process.pid)!;
const before = hostBytes();
let peak = before;
const pool = new WorkerPool(TASKS, { size: SIZE, memoryLimit: 128 * MiB });
const sampler = setInterval(() => {
  const all = hostBytes() +
    pool.workerPids.reduce((s, pid) => s + (residentBytesOf(pid) ?? 0), 0);
  peak = Math.max(peak, all);
}, 5);

let wrong = 0, rejected = 0, over = 0, done = 0, next = 0;
const wrongExamples: string[] = [];
const started = performance.now();
async function lane() {
  while (next < total) {
    next++;
    const p = plan();
    if (p.over) over++;
    try {
      const r = await pool.run(p.exportName, p.args, p.limits);
      const expected = p.exportName === "busyFor" ? p.args[0] : p.expected;
      const right = p.over
        ? !r.ok && (r.error as { kind?: string }).kind === p.kind
        : r.ok && r.value === expected;
      if (!right) {
        wrong++;
        if (wrongExamples.length < 5) {
          wrongExamples.push(`${JSON.stringify(p)} → ${JSON.stringify(r)}`);
        }
      }
    } catch (error) {
      rejected++;
      if (wrongExamples.length < 5) {
        wrongExamples.push(`${JSON.stringify(p)} → rejected ${error}`);
      }
    }
    done++;
  }
}
await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
const seconds = (performance.now() - started) / 1000;
clearInterval(sampler);
await pool.close();
// Collect the host's garbage if the runtime lets us (Bun.gc; Deno with --v8-flags=--expose-gc).
const bun = (globalThis as { Bun?: { gc(force: boolean): void } }).Bun;
if (bun) bun.gc(true);
else (globalThis as { gc?: () => void }).gc?.();
await new Promise((r) => setTimeout(r, 500));
const after = hostBytes();
console.log(
  `## soak on ${runtimeLabel}: ${done} tasks (${over} over their limits), pool size ${SIZE}, ${IN_FLIGHT} in flight, ${
    seconds.toFixed(1)
  } s
wrong results: ${wrong}; rejected runs: ${rejected}; host crashes: 0 (we are here)
RSS (MiB): host before the pool ${
    (before / MiB).toFixed(1)
  }, peak host + workers ${(peak / MiB).toFixed(1)}, host after close ${
    (after / MiB).toFixed(1)
  } (${((after - before) / MiB).toFixed(1)} over the start)`,
);
if (wrongExamples.length > 0) console.log(wrongExamples.join("\n"));
process.exit(wrong + rejected === 0 ? 0 : 1);
