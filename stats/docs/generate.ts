/**
 * Generates docs/statistical.md, its charts (SVG) and their data (CSV) from the
 * statistics core, and the calculator page's script: `deno task docs` or
 * `npm run docs`.
 *
 * @module
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import process from "node:process";
import {
  errorChart,
  interruptChart,
  limitChart,
  overshootChart,
} from "./chart_specs.ts";
import { renderSvg } from "./charts.ts";
import { csvFiles } from "./csv.ts";
import { computeDocsData } from "./data.ts";
import { ASSETS, CHART_FILES, statisticalMarkdown } from "./markdown.ts";
import { writePage } from "../page/build.ts";

/** The repository's docs folder. */
export const DOCS_DIR: string = join(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  "docs",
);

/**
 * Every generated file, by path relative to the docs folder.
 *
 * @example
 * ```ts
 * import { renderDocs } from "./generate.ts";
 * const files = await renderDocs();
 * console.log([...files.keys()]);
 * ```
 */
export async function renderDocs(): Promise<Map<string, string>> {
  const data = computeDocsData();
  const files = new Map<string, string>([[
    "statistical.md",
    statisticalMarkdown(data),
  ]]);
  const charts = [
    [CHART_FILES.interrupt, interruptChart(data)],
    [CHART_FILES.error, errorChart(data)],
    [CHART_FILES.limit, limitChart(data)],
    // Last: vega numbers clip paths in render order, so the older charts keep theirs.
    [CHART_FILES.overshoot, overshootChart(data)],
  ] as const;
  for (const [name, chart] of charts) {
    files.set(`${ASSETS}/${name}`, await renderSvg(chart));
  }
  for (const [name, text] of csvFiles(data)) {
    files.set(`${ASSETS}/${name}`, text);
  }
  return files;
}

/**
 * Writes the generated docs under `dir` (default: the repository's docs folder)
 * and returns the paths written, relative to `dir`.
 *
 * @example
 * ```ts
 * import { writeDocs } from "./generate.ts";
 * await writeDocs("/tmp/docs");
 * ```
 */
export async function writeDocs(dir: string = DOCS_DIR): Promise<string[]> {
  const files = await renderDocs();
  for (const [path, text] of files) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return [...files.keys()];
}

if (import.meta.main) {
  // Optional argument: another folder to write to (the benchmark uses one).
  const dir = process.argv[2] ?? DOCS_DIR;
  const started = performance.now();
  const written = await writeDocs(dir);
  // The calculator page's script (docs/calculator/), built from stats/page/.
  written.push(...await writePage(join(dir, "calculator")));
  const ms = Math.round(performance.now() - started);
  console.log(`wrote ${written.length} files under ${dir} in ${ms} ms`);
}
