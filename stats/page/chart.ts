// The page's live chart as a Vega-Lite spec: the probability of having been
// interrupted, P_a(n), against the allocation n, with N and l marked. The
// curve's points come from the statistics core; sizes are shown in bytes, in
// the one binary unit that suits the chart's range.
import { interruptProbability, triggerProbability } from "../mod.ts";
import { formatBytes } from "../calc/sizes.ts";
import type { ChartInput } from "./model.ts";

/** Points along the curve: enough for a smooth line at any width the page has. */
const POINTS = 240;

const UNITS: [string, number][] = [
  ["TiB", 1024 ** 4],
  ["GiB", 1024 ** 3],
  ["MiB", 1024 ** 2],
  ["KiB", 1024],
];

/** The binary unit in which `bytes` reads as a number of at least 1. */
function unitFor(bytes: number): [string, number] {
  return UNITS.find(([, scale]) => bytes >= scale) ?? ["B", 1];
}

/** Colours of the curve and of the marks (N, n, l), readable on white. */
const CURVE = "#1f5fa8";
const MARK = "#b3261e";

/**
 * The chart's caption, shown above it in the page.
 *
 * @example
 * ```ts
 * import { chartTitle } from "./chart.ts";
 * chartTitle({ kind: "detect", rate: 1e-4, wordSize: 8, marks: [] });
 * ```
 */
export function chartTitle(chart: ChartInput): string {
  return chart.kind === "limit"
    ? "P_a(n), the chance of having been interrupted after n allocations under the limit l"
    : "The chance of an interrupt after n allocations past a global memory limit";
}

/**
 * The Vega-Lite spec of the chart for a computed answer, `width` pixels wide
 * (the plot area; axes and padding come on top).
 *
 * @example
 * ```ts
 * import { chartSpec } from "./chart.ts";
 * const spec = chartSpec({ kind: "limit", rate: 1e-4, wordSize: 8, limit: 131072, marks: [{ words: 12800, label: "N" }, { words: 131072, label: "l" }] }, 600);
 * ```
 */
export function chartSpec(chart: ChartInput, width: number): object {
  const p = chart.rate;
  const markMax = Math.max(...chart.marks.map((m) => m.words));
  // Past the limit (or the detection point) far enough to see the curve reach 1.
  const span = chart.kind === "limit"
    ? Math.max(2 * (chart.limit ?? 0), 1.1 * markMax)
    : 1.5 * markMax;
  const maxWords = span > 0 ? span : 1 / p;
  const [unit, scale] = unitFor(maxWords * chart.wordSize);
  const toX = (words: number) => (words * chart.wordSize) / scale;
  const curve: { x: number; y: number }[] = [];
  for (let i = 0; i <= POINTS; i++) {
    const n = (maxWords * i) / POINTS;
    const y = chart.kind === "limit"
      ? interruptProbability(n, chart.limit ?? 1, p)
      : triggerProbability(n, p);
    curve.push({ x: toX(n), y });
  }
  // Labels one below the other, so that N and l stay readable when they are close.
  const marks = chart.marks.map((m, i) => ({
    x: toX(m.words),
    label: `${m.label} = ${formatBytes(m.words * chart.wordSize)}`,
    y: 1 - 0.08 * i, // in the units of P_a(n): the layers share the y scale
  }));
  const xTitle = chart.kind === "limit"
    ? `allocated so far, n (${unit})`
    : `allocated past the global limit, n (${unit})`;
  const x = {
    field: "x",
    type: "quantitative",
    scale: { domain: [0, toX(maxWords)], nice: false },
    axis: { title: xTitle, grid: true, tickCount: Math.max(3, width / 90) },
  };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    width,
    height: Math.round(Math.min(320, Math.max(200, width * 0.55))),
    background: "white",
    padding: 8,
    config: {
      font: "system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif",
      axis: { titleFontSize: 12, labelFontSize: 11, titleFontWeight: "normal" },
      view: { stroke: null },
    },
    layer: [
      {
        data: { values: curve },
        mark: { type: "line", color: CURVE, strokeWidth: 2.5, clip: true },
        encoding: {
          x,
          y: {
            field: "y",
            type: "quantitative",
            scale: { domain: [0, 1], nice: false },
            axis: { title: "P_a(n)", grid: true, tickCount: 5 },
          },
        },
      },
      {
        data: { values: marks },
        mark: {
          type: "rule",
          color: MARK,
          strokeDash: [5, 4],
          strokeWidth: 1.5,
        },
        encoding: { x },
      },
      {
        data: { values: marks },
        mark: {
          type: "text",
          color: MARK,
          fontSize: 13,
          fontWeight: "bold",
          align: "left",
          baseline: "top",
          dx: 4,
          dy: 3,
        },
        encoding: {
          x,
          y: { field: "y", type: "quantitative" },
          text: { field: "label" },
        },
      },
    ],
  };
}
