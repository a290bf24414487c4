/**
 * ibeta against jStat's ibeta (the baseline the design names), over the grid
 * of the mpmath fixtures (test/stats/fixtures/ibeta.json): the same points,
 * in one run. Grids: random a, b in [1e-2, 1e7] ("general"), large a, b near
 * the mean, the limits regime, all pairs of a, b in {1e-2, 0.1, 1, 10, 1e3,
 * 1e5, 1e7} at fixed x and around the mean ("corners"), the region of the
 * asymptotic expansion with the points at its switch ("asymptotic"), and one
 * shape below 1 with the other large, x beyond the mean ("small shape").
 *
 *   node_modules/.bin/deno bench -A bench/ibeta_bench.ts
 *
 * Before the timings it prints, for both, the accuracy against mpmath (median,
 * p99 and max relative error where I >= 1e-300) and a time per call (the best
 * of 15 rounds after warm-up). Then `deno bench` times each grid: an iteration
 * calls the function once per grid point, so time per call = time per
 * iteration / points, and it prints the ratio to the jStat baseline per group.
 */
import jStat from "jstat";
import { ibeta } from "../stats/mod.ts";
import fixture from "../test/stats/fixtures/ibeta.json" with { type: "json" };

interface Point {
  readonly x: number;
  readonly a: number;
  readonly b: number;
  readonly region: string;
  readonly I: number;
}

type Ibeta = (x: number, a: number, b: number) => number;

const ours: Ibeta = ibeta;
// jstat's bundled typings omit ibeta, though the function is there.
const jStatIbeta = (jStat as unknown as { ibeta: Ibeta }).ibeta;
const baseline: Ibeta = (x, a, b) => jStatIbeta(x, a, b);

const valid = (fixture.points as Point[]).filter((p) => p.I >= 1e-300);
// "all" keeps to the four original grids, so that its figures stay comparable
// across versions; the grids added later (for the asymptotic expansion and
// the small-shape branch) are timed separately.
const ORIGINAL = ["general", "large", "limits", "corners"];
const all = valid.filter((p) => ORIGINAL.includes(p.region));
const regions: Record<string, Point[]> = {
  all,
  general: all.filter((p) => p.region === "general"),
  "large a, b near the mean": all.filter((p) => p.region === "large"),
  "limits regime": all.filter((p) => p.region === "limits"),
  "corners of [1e-2, 1e7]²": all.filter((p) => p.region === "corners"),
  "asymptotic: min(a, b) ≥ 300, ±8 sd, switch points": valid.filter((p) =>
    p.region === "asymptotic"
  ),
  "small shape < 1, other ≥ 10, far tail": valid.filter((p) =>
    p.region === "small shape"
  ),
};

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Relative errors against mpmath; NaN or a thrown error counts as Infinity. */
function accuracy(
  f: Ibeta,
  points: Point[],
): { median: number; p99: number; max: number } {
  const errors = points.map((p) => {
    try {
      const e = Math.abs(f(p.x, p.a, p.b) - p.I) / p.I;
      return Number.isNaN(e) ? Infinity : e;
    } catch {
      return Infinity;
    }
  }).sort((u, v) => u - v);
  return {
    median: quantile(errors, 0.5),
    p99: quantile(errors, 0.99),
    max: errors[errors.length - 1],
  };
}

/** The grid as typed arrays, and one sweep over it with `f`. */
function sweeper(points: Point[]) {
  const xs = Float64Array.from(points, (p) => p.x);
  const as = Float64Array.from(points, (p) => p.a);
  const bs = Float64Array.from(points, (p) => p.b);
  return (f: Ibeta): number => {
    let s = 0;
    for (let i = 0; i < xs.length; i++) s += f(xs[i], as[i], bs[i]);
    return s;
  };
}

/**
 * Time per call in ns: the fastest of 15 timed rounds of 40 sweeps, after
 * warm-up sweeps (deno bench's own table below has the full statistics).
 */
function timePerCall(f: Ibeta, points: Point[]): number {
  const sweep = sweeper(points);
  let best = Infinity;
  let s = 0;
  for (let i = 0; i < 200; i++) s += sweep(f);
  for (let round = 0; round < 15; round++) {
    const start = performance.now();
    for (let i = 0; i < 40; i++) s += sweep(f);
    best = Math.min(best, (performance.now() - start) / (40 * points.length));
  }
  sink += s;
  return best * 1e6;
}

let sink = 0; // a module-level sum keeps the calls from being optimised away
const fmt = (e: number) => (e === 0 ? "0" : e.toExponential(1));
console.log(
  `ibeta against mpmath (${fixture.header.generator}, dps ${fixture.header.dps}) and jStat`,
);
console.log("| grid | points | function | median | p99 | max | ns per call |");
console.log("| --- | ---: | --- | ---: | ---: | ---: | ---: |");
for (const [name, points] of Object.entries(regions)) {
  for (
    const [label, f] of [["memlimits ibeta", ours], [
      "jStat.ibeta",
      baseline,
    ]] as const
  ) {
    const r = accuracy(f, points);
    console.log(
      `| ${name} | ${points.length} | ${label} | ${fmt(r.median)} | ${
        fmt(r.p99)
      } | ${fmt(r.max)} | ${timePerCall(f, points).toFixed(0)} |`,
    );
  }
}

for (const [name, points] of Object.entries(regions)) {
  const sweep = sweeper(points);
  const group = `${name} (${points.length} calls per iteration)`;
  Deno.bench({
    name: `jStat.ibeta: ${name}`,
    group,
    baseline: true,
    fn: () => {
      sink += sweep(baseline);
    },
  });
  Deno.bench({
    name: `memlimits ibeta: ${name}`,
    group,
    fn: () => {
      sink += sweep(ours);
    },
  });
}
