// The three charts of the statistical docs: Vega-Lite specs compiled to Vega
// and rendered headless to SVG by vega's View.toSVG() (no canvas or browser).
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { textWidth } from "./text_width.ts";

// Measure text with our own estimate instead of vega's 0.8 em a character.
// vega documents a user-defined textMetrics.width for canvas-less rendering;
// its type declarations do not list textMetrics, hence the cast.
const { textMetrics } = vega as unknown as {
  textMetrics: {
    width: (item: { fontSize?: number }, text: unknown) => number;
  };
};
textMetrics.width = (item, text) =>
  textWidth(text == null ? "" : String(text).trim(), item.fontSize ?? 11);

/** One point of a chart line. */
export interface Point {
  /** Horizontal value. */
  x: number;
  /** Vertical value. */
  y: number;
  /** The line's label, shown in the legend, e.g. "t = 1e-9". */
  series: string;
}

/** What a chart shows: lines of points, labelled axes, a legend title. */
export interface ChartSpec {
  /** The chart's title. */
  title: string;
  /** Horizontal axis title, with units. */
  xTitle: string;
  /** Vertical axis title, with units. */
  yTitle: string;
  /** Legend title. */
  legendTitle: string;
  /** Line labels in legend order. */
  seriesOrder: string[];
  /** Logarithmic horizontal axis. */
  xLog?: boolean;
  /** Logarithmic vertical axis. */
  yLog?: boolean;
  /** Fixed horizontal domain. */
  xDomain?: [number, number];
  /** Fixed vertical domain. */
  yDomain?: [number, number];
  /** Colours of the series in {@linkcode ChartSpec.seriesOrder} order (default: category10). */
  colors?: string[];
  /** Series drawn dashed (the others solid). */
  dashed?: string[];
  /** An optional dashed horizontal reference line with its label. */
  rule?: { y: number; label: string };
  /** The points. */
  points: Point[];
}

const FONT = "Helvetica, Arial, sans-serif";

function axis(title: string, log: boolean) {
  // Log axes: label only powers of ten, as plain grouped numbers (1, 10, 1,000).
  return log
    ? {
      title,
      format: ",~r",
      labelExpr:
        "abs(log(datum.value) / LN10 - round(log(datum.value) / LN10)) < 1e-6 ? datum.label : ''",
      grid: true,
    }
    : { title, grid: true };
}

/**
 * The Vega-Lite spec of a chart: lines coloured by series, an optional dashed
 * reference rule with its label, axis titles and a legend.
 */
function vegaLiteSpec(chart: ChartSpec): TopLevelSpec {
  const x = {
    field: "x",
    type: "quantitative" as const,
    scale: {
      type: chart.xLog ? "log" as const : "linear" as const,
      ...(chart.xDomain ? { domain: chart.xDomain } : {}),
      nice: false,
    },
    axis: axis(chart.xTitle, chart.xLog ?? false),
  };
  const y = {
    field: "y",
    type: "quantitative" as const,
    scale: {
      type: chart.yLog ? "log" as const : "linear" as const,
      ...(chart.yDomain ? { domain: chart.yDomain } : {}),
      nice: false,
    },
    axis: axis(chart.yTitle, chart.yLog ?? false),
  };
  const lines = {
    data: { values: chart.points },
    mark: { type: "line" as const, strokeWidth: 2, clip: true },
    encoding: {
      x,
      y,
      color: {
        field: "series",
        type: "nominal" as const,
        sort: chart.seriesOrder,
        scale: chart.colors
          ? { domain: chart.seriesOrder, range: chart.colors }
          : { domain: chart.seriesOrder, scheme: "category10" },
        legend: {
          title: chart.legendTitle,
          orient: "right" as const,
          symbolType: "stroke",
          symbolStrokeWidth: 3,
        },
      },
      // The same field and title as the colour: vega-lite merges the two legends.
      ...(chart.dashed
        ? {
          strokeDash: {
            field: "series",
            type: "nominal" as const,
            sort: chart.seriesOrder,
            scale: {
              domain: chart.seriesOrder,
              range: chart.seriesOrder.map((series) =>
                chart.dashed!.includes(series) ? [6, 4] : [1, 0]
              ),
            },
            legend: {
              title: chart.legendTitle,
              orient: "right" as const,
              symbolType: "stroke",
              symbolStrokeWidth: 3,
            },
          },
        }
        : {}),
    },
  };
  const layers: unknown[] = [lines];
  if (chart.rule) {
    layers.push({
      data: { values: [{ y: chart.rule.y, label: chart.rule.label }] },
      mark: { type: "rule", strokeDash: [6, 4], color: "#555" },
      encoding: { y: { field: "y", type: "quantitative" } },
    }, {
      data: { values: [{ y: chart.rule.y, label: chart.rule.label }] },
      mark: {
        type: "text",
        align: "right",
        baseline: "bottom",
        dx: -4,
        dy: -3,
        color: "#333",
        fontSize: 12,
      },
      encoding: {
        y: { field: "y", type: "quantitative" },
        x: { value: "width" },
        text: { field: "label" },
      },
    });
  }
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: {
      text: chart.title,
      fontSize: 15,
      font: FONT,
      anchor: "start",
      offset: 12,
    },
    width: 560,
    height: 340,
    background: "white",
    padding: 12,
    config: {
      font: FONT,
      axis: {
        titleFontSize: 13,
        labelFontSize: 12,
        titleFontWeight: "normal",
        titlePadding: 8,
      },
      legend: {
        titleFontSize: 13,
        labelFontSize: 12,
        titleFontWeight: "normal",
      },
    },
    layer: layers,
  } as TopLevelSpec;
}

// Geometry attributes whose numbers are rounded; text content (labels) is left alone.
const GEOMETRY =
  /(\s(?:d|transform|x|y|x1|x2|y1|y2|width|height|points|viewBox)=")([^"]*)"/g;

/**
 * Rounds the numbers in SVG geometry to two decimals (a hundredth of a pixel).
 * Scales use Math.log and friends, whose last bit may differ between V8 and
 * JavaScriptCore; rounded coordinates make the SVG identical on Deno and Bun.
 */
export function roundGeometry(svg: string): string {
  return svg.replace(
    GEOMETRY,
    (_, name: string, value: string) =>
      `${name}${
        value.replace(/-?\d*\.\d+(?:e-?\d+)?/g, (number) => {
          const rounded = Math.round(Number(number) * 100) / 100;
          return String(rounded === 0 ? 0 : rounded);
        })
      }"`,
  );
}

/**
 * Renders a chart to a standalone SVG document.
 *
 * @example
 * ```ts
 * import { renderSvg } from "./charts.ts";
 * const svg = await renderSvg({ title: "t", xTitle: "x", yTitle: "y", legendTitle: "s", seriesOrder: ["a"], points: [{ x: 1, y: 1, series: "a" }] });
 * ```
 */
export async function renderSvg(chart: ChartSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(vegaLiteSpec(chart)).spec), {
    renderer: "none",
  });
  try {
    return `${roundGeometry(await view.toSVG())}\n`;
  } finally {
    view.finalize();
  }
}
