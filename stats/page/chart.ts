// The page's live chart as a Vega-Lite spec: the probability of having been
// interrupted, P_a(n), against the allocation n with N and l marked; for
// `overshoot` the bound against the allocation rate; for `observed` the
// observed values with the limit. The points come from the statistics core and
// the CLI's commands; sizes are shown in bytes with binary units.
import { interruptProbability, triggerProbability } from "../mod.ts";
import { overshootResult } from "../calc/commands/overshoot.ts";
import { formatNumber } from "../calc/numbers.ts";
import { formatBytes } from "../calc/sizes.ts";
import type { ChartInput } from "./model.ts";

/** Points along a curve: enough for a smooth line at any width the page has. */
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

/** A Vega expression that labels a value in bytes with a binary unit ("16 MiB"). */
function binaryLabel(suffix = ""): string {
  const branches = UNITS.map(([unit, scale]) =>
    `datum.value >= ${scale} ? format(datum.value / ${scale}, '.3~r') + ' ${unit}${suffix}' : `
  ).join("");
  return `${branches}format(datum.value, '.3~r') + ' B${suffix}'`;
}

/** Colours of the curves and of the marks, readable on white. */
const CURVES = ["#1f5fa8", "#7a7a7a"];
const MARK = "#b3261e";

/** One point of a curve. */
interface Point {
  x: number;
  y: number;
  series: string;
}

/** One vertical mark with its label. */
interface Mark {
  x: number;
  label: string;
}

/** What every chart is made of. */
interface Lines {
  points: Point[];
  marks: Mark[];
  xTitle: string;
  yTitle: string;
  /** Log scales in base 2, labelled in binary units; linear otherwise. */
  xBytes?: "bytes" | "bytes/s";
  yBytes?: "bytes";
  xDomain: [number, number];
  yDomain: [number, number];
  /** Step line (the observed values) instead of a smooth one. */
  step?: boolean;
}

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
  switch (chart.kind) {
    case "limit":
      return "P_a(n), the chance of having been interrupted after n allocations under the limit l";
    case "detect":
      return "The chance of an interrupt after n allocations past a global memory limit";
    case "overshoot":
      return `The overshoot past a limit against the allocation rate R (exceeded with probability ${chart.target}), τ = ${
        formatNumber(chart.ms, 4)
      } ms`;
    case "observed":
      return "The observed values, sorted: the share of runs at or below each value";
  }
}

function limitLines(chart: ChartInput & { kind: "limit" | "detect" }): Lines {
  const p = chart.rate;
  const markMax = Math.max(...chart.marks.map((m) => m.words));
  // Past the limit (or the detection point) far enough to see the curve reach 1.
  const span = chart.kind === "limit"
    ? Math.max(2 * chart.limit, 1.1 * markMax)
    : 1.5 * markMax;
  const maxWords = span > 0 ? span : 1 / p;
  const [unit, scale] = unitFor(maxWords * chart.wordSize);
  const toX = (words: number) => (words * chart.wordSize) / scale;
  const points: Point[] = [];
  for (let i = 0; i <= POINTS; i++) {
    const n = (maxWords * i) / POINTS;
    const y = chart.kind === "limit"
      ? interruptProbability(n, chart.limit, p)
      : triggerProbability(n, p);
    points.push({ x: toX(n), y, series: "P_a(n)" });
  }
  return {
    points,
    marks: chart.marks.map((m) => ({
      x: toX(m.words),
      label: `${m.label} = ${formatBytes(m.words * chart.wordSize)}`,
    })),
    xTitle: chart.kind === "limit"
      ? `allocated so far, n (${unit})`
      : `allocated past the global limit, n (${unit})`,
    yTitle: "P_a(n)",
    xDomain: [0, toX(maxWords)],
    yDomain: [0, 1],
  };
}

function overshootLines(chart: ChartInput & { kind: "overshoot" }): Lines {
  const { target, bytesPerSecond, interval, ms } = chart;
  // Two decades either side of R, but at least 1 byte per interval (the command's range).
  const low = Math.max(bytesPerSecond / 100, 1000 / ms);
  const high = Math.max(bytesPerSecond * 100, low * 10);
  const points: Point[] = [];
  for (let i = 0; i <= 60; i++) {
    const rate = low * (high / low) ** (i / 60);
    const result = overshootResult({ target, bytesPerSecond: rate, interval });
    points.push(
      { x: rate, y: result.overshoot.bytes, series: "overshoot bound" },
      { x: rate, y: result.meanOvershoot.bytes, series: "mean R·τ" },
    );
  }
  const ys = points.map((point) => point.y);
  return {
    points,
    marks: [{
      x: bytesPerSecond,
      label: `R = ${formatBytes(bytesPerSecond)}/s`,
    }],
    xTitle: "allocation rate R (log scale)",
    yTitle: "allocated past the limit (log scale)",
    xBytes: "bytes/s",
    yBytes: "bytes",
    xDomain: [low, high],
    yDomain: [Math.min(...ys), Math.max(...ys)],
  };
}

function observedLines(chart: ChartInput & { kind: "observed" }): Lines {
  const sorted = [...chart.values].sort((a, b) => a - b);
  const n = sorted.length;
  const points = sorted.map((x, i) => ({ x, y: (i + 1) / n, series: "runs" }));
  const lowest = sorted[0];
  const highest = sorted[n - 1];
  const pad = (highest - lowest) * 0.05 || Math.abs(highest) * 0.05 || 1;
  return {
    points: [{ x: lowest - pad, y: 0, series: "runs" }, ...points],
    marks: chart.limit === undefined
      ? [{ x: highest, label: "largest: not enough runs" }]
      : [{ x: chart.limit, label: `limit = ${formatNumber(chart.limit, 4)}` }],
    xTitle: "observed value (in its own unit)",
    yTitle: "share of runs at or below",
    xDomain: [lowest - pad, highest + pad],
    yDomain: [0, 1],
    step: true,
  };
}

function axis(title: string, bytes: string | undefined, width: number) {
  return bytes === undefined
    ? { title, grid: true, tickCount: Math.max(3, Math.round(width / 90)) }
    : {
      title,
      grid: true,
      tickCount: Math.max(3, Math.round(width / 110)),
      labelExpr: binaryLabel(bytes === "bytes/s" ? "/s" : ""),
    };
}

function scale(domain: [number, number], bytes: string | undefined) {
  return bytes === undefined
    ? { domain, nice: false }
    : { type: "log", base: 2, domain, nice: false };
}

function linesOf(chart: ChartInput): Lines {
  return chart.kind === "overshoot"
    ? overshootLines(chart)
    : chart.kind === "observed"
    ? observedLines(chart)
    : limitLines(chart);
}

/**
 * The labels of the chart's marks ("N = 100 KiB", "l = 1,022 KiB"), for its description.
 *
 * @example
 * ```ts
 * import { chartMarks } from "./chart.ts";
 * chartMarks({ kind: "observed", values: [1, 2, 3], limit: 3 }); // ["limit = 3"]
 * ```
 */
export function chartMarks(chart: ChartInput): string[] {
  return linesOf(chart).marks.map((mark) => mark.label);
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
  const lines = linesOf(chart);
  const x = {
    field: "x",
    type: "quantitative",
    scale: scale(lines.xDomain, lines.xBytes),
    axis: axis(lines.xTitle, lines.xBytes, width),
  };
  const y = {
    field: "y",
    type: "quantitative",
    scale: scale(lines.yDomain, lines.yBytes),
    axis: { ...axis(lines.yTitle, lines.yBytes, 300), tickCount: 5 },
  };
  const series = [...new Set(lines.points.map((point) => point.series))];
  // Labels one below the other at the top, in the units of y (the layers share its scale).
  const [y0, y1] = lines.yDomain;
  const top = (i: number) =>
    lines.yBytes === undefined
      ? y1 - (y1 - y0) * 0.08 * i
      : y1 / (y1 / y0) ** (0.08 * i);
  // A mark in the right half of the plot gets its label on its left, inside the plot.
  const [x0, x1] = lines.xDomain;
  const right = (x: number) =>
    lines.xBytes === undefined
      ? x > (x0 + x1) / 2
      : Math.log(x / x0) > Math.log(x1 / x0) / 2;
  const marks = lines.marks.map((mark, i) => ({
    ...mark,
    y: top(i),
    right: right(mark.x),
  }));
  const label = (side: "left" | "right") => ({
    data: { values: marks },
    transform: [{ filter: side === "right" ? "datum.right" : "!datum.right" }],
    mark: {
      type: "text",
      color: MARK,
      fontSize: 13,
      fontWeight: "bold",
      align: side === "right" ? "right" : "left",
      baseline: "top",
      dx: side === "right" ? -4 : 4,
      dy: 3,
    },
    encoding: { x, y, text: { field: "label" } },
  });
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    width,
    height: Math.round(Math.min(320, Math.max(200, width * 0.55))),
    background: "white",
    padding: 8,
    config: {
      font: "system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif",
      axis: { titleFontSize: 12, labelFontSize: 11, titleFontWeight: "normal" },
      legend: { labelFontSize: 12, orient: "bottom", title: null },
      view: { stroke: null },
    },
    layer: [
      {
        data: { values: lines.points },
        mark: {
          type: "line",
          strokeWidth: 2.5,
          clip: true,
          ...(lines.step ? { interpolate: "step-after" } : {}),
        },
        encoding: {
          x,
          y,
          color: {
            field: "series",
            type: "nominal",
            scale: { domain: series, range: CURVES },
            legend: series.length > 1 ? {} : null,
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
      label("left"),
      label("right"),
    ],
  };
}
