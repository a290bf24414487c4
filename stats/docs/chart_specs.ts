// What each chart of the statistical docs shows, built from the docs data.
// Sizes on the axes are KiB of 64-bit words, as in memprof-limits' charts.
import { formatExponent } from "../calc/numbers.ts";
import type { ChartSpec, Point } from "./charts.ts";
import {
  ACCURATE_ERROR,
  DOCS_WORD_SIZE,
  type DocsData,
  TARGETS,
} from "./data.ts";

/** Words to KiB of 64-bit words. */
function kib(words: number): number {
  return (words * DOCS_WORD_SIZE) / 1024;
}

/** Bytes to MiB. */
function mib(bytes: number): number {
  return bytes / 2 ** 20;
}

/** The legend label of a target t. */
export function targetLabel(target: number): string {
  return `t = ${formatExponent(target)}`;
}

/**
 * Chart 1: P_a(n) against n/l for several k.
 *
 * @example
 * ```ts
 * import { computeDocsData } from "./data.ts";
 * import { interruptChart } from "./chart_specs.ts";
 * const spec = interruptChart(computeDocsData());
 * ```
 */
export function interruptChart(data: DocsData): ChartSpec {
  const label = (k: number) => `k = ${k}`;
  return {
    title:
      "Probability of having been interrupted under an allocation limit l = k/p",
    xTitle: "allocated so far relative to the limit, n / l (ratio)",
    yTitle: "probability of having been interrupted, P_a(n)",
    legendTitle: "samples to interrupt, k",
    seriesOrder: data.interruptCurves.map(({ k }) => label(k)),
    xDomain: [0, 3],
    yDomain: [0, 1],
    points: data.interruptCurves.flatMap(({ k, points }) =>
      points.map(({ ratio, probability }): Point => ({
        x: ratio,
        y: probability,
        series: label(k),
      }))
    ),
  };
}

/**
 * Chart 2: the error (l − N)/N against N, one line per t (rows with N = 0 have no error to show).
 *
 * @example
 * ```ts
 * import { computeDocsData } from "./data.ts";
 * import { errorChart } from "./chart_specs.ts";
 * const spec = errorChart(computeDocsData());
 * ```
 */
export function errorChart(data: DocsData): ChartSpec {
  return {
    title:
      "Error of an allocation limit: how far above the safe allocation N it lies",
    xTitle: "safe allocation N (KiB, 64-bit words; log scale)",
    yTitle: "error (l − N)/N (ratio; log scale)",
    legendTitle: "target probability t",
    seriesOrder: TARGETS.map(targetLabel),
    xLog: true,
    yLog: true,
    rule: { y: ACCURATE_ERROR, label: `error = ${ACCURATE_ERROR}: l is 11·N` },
    points: data.accuracy.flatMap(({ target, fine }) =>
      fine.filter((row) => row.safe > 0).map((row): Point => ({
        x: kib(row.safe),
        y: row.error,
        series: targetLabel(target),
      }))
    ),
  };
}

/**
 * Chart 3: the limit l to choose against the target safe allocation N, one line per t.
 *
 * @example
 * ```ts
 * import { computeDocsData } from "./data.ts";
 * import { limitChart } from "./chart_specs.ts";
 * const spec = limitChart(computeDocsData());
 * ```
 */
export function limitChart(data: DocsData): ChartSpec {
  return {
    title: "Allocation limit l to choose for a target safe allocation N",
    xTitle: "target safe allocation N (KiB, 64-bit words; log scale)",
    yTitle: "allocation limit l (KiB, 64-bit words; log scale)",
    legendTitle: "target probability t",
    seriesOrder: TARGETS.map(targetLabel),
    xLog: true,
    yLog: true,
    points: data.limitCurve.flatMap(({ safe, limits }) =>
      limits.map((limit, i): Point => ({
        x: kib(safe),
        y: kib(limit),
        series: targetLabel(TARGETS[i]),
      }))
    ),
  };
}

/** The legend label of an overshoot line: target and interval. */
function overshootLabel(target: number, intervalMs: number): string {
  return `${targetLabel(target)}, τ = ${intervalMs} ms`;
}

/**
 * Chart 4: memlimits' overshoot bound against the allocation rate, one line
 * per t and sampling interval (the pool's dashed).
 *
 * @example
 * ```ts
 * import { computeDocsData } from "./data.ts";
 * import { overshootChart } from "./chart_specs.ts";
 * const spec = overshootChart(computeDocsData());
 * ```
 */
export function overshootChart(data: DocsData): ChartSpec {
  const order = data.overshoot.flatMap(({ intervalMs }) =>
    TARGETS.map((t) => overshootLabel(t, intervalMs))
  );
  const pool = data.overshoot.filter(({ label }) => label === "pool");
  return {
    title:
      "Overshoot past a limit: chance of no interrupt yet at most t after this much",
    xTitle: "allocation rate R (MiB/s; log scale)",
    yTitle: "overshoot bound (MiB; log scale)",
    legendTitle: "target t, mean interval τ",
    seriesOrder: order,
    // One colour per t (category10's first three), the same for both intervals.
    colors: data.overshoot.flatMap(() =>
      ["#1f77b4", "#ff7f0e", "#2ca02c"].slice(0, TARGETS.length)
    ),
    dashed: pool.flatMap(({ intervalMs }) =>
      TARGETS.map((t) => overshootLabel(t, intervalMs))
    ),
    xLog: true,
    yLog: true,
    points: data.overshoot.flatMap(({ intervalMs, fine }) =>
      fine.flatMap((row) =>
        row.bounds.map((bytes, i): Point => ({
          x: mib(row.bytesPerSecond),
          y: mib(bytes),
          series: overshootLabel(TARGETS[i], intervalMs),
        }))
      )
    ),
  };
}
