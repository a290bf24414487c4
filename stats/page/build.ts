/**
 * Builds the calculator page's script, docs/calculator/calculator.js, from
 * stats/page/main.ts (the statistics core, the CLI's commands, vega and
 * vega-lite included) with esbuild: one minified classic script, since
 * browsers refuse module scripts from file://. Run by `deno task docs`.
 *
 * esbuild because it bundles TypeScript and npm packages in one step, in about
 * a second, and its output is byte-identical from run to run.
 *
 * @module
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnSync } from "node:child_process";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The page's folder: docs/calculator. */
export const PAGE_DIR: string = join(ROOT, "docs", "calculator");

/** The esbuild executable that package.json pins. */
const ESBUILD = join(ROOT, "node_modules", ".bin", "esbuild");

const BANNER =
  "// memlimits calculator page, built from stats/page/main.ts by `deno task docs`; do not edit.\n" +
  "// Includes vega and vega-lite (BSD-3-Clause, Copyright (c) the University of Washington Interactive Data Lab).";

/** The built script's name, next to index.html. */
export const SCRIPT = "calculator.js";

/**
 * The built files of the page, by name relative to its folder.
 *
 * @example
 * ```ts
 * import { buildPage } from "./build.ts";
 * const files = await buildPage();
 * console.log([...files.keys()]); // ["calculator.js"]
 * ```
 */
export function buildPage(): Promise<Map<string, string>> {
  // The CLI, run to completion: its JavaScript API keeps a service process
  // whose exit Deno's test sanitizers do not always see in time.
  const result = spawnSync(ESBUILD, [
    "stats/page/main.ts",
    "--bundle",
    "--format=iife",
    "--platform=browser",
    "--target=es2022",
    "--minify",
    "--legal-comments=eof", // the libraries' license notices stay in the bundle
    "--charset=utf8",
    "--log-level=error",
    `--banner:js=${BANNER}`,
  ], {
    cwd: ROOT, // paths in the output are relative to the checkout, not where it lies
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(
      `esbuild failed (${result.status ?? result.error}): ${result.stderr}`,
    );
  }
  return Promise.resolve(new Map([[SCRIPT, result.stdout]]));
}

/**
 * Writes the built files under `dir` (default docs/calculator) and returns their names.
 *
 * @example
 * ```ts
 * import { writePage } from "./build.ts";
 * await writePage("/tmp/calculator");
 * ```
 */
export async function writePage(dir: string = PAGE_DIR): Promise<string[]> {
  const files = await buildPage();
  await mkdir(dir, { recursive: true });
  for (const [name, text] of files) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return [...files.keys()];
}

if (import.meta.main) {
  const written = await writePage();
  console.log(`wrote ${written.join(", ")} under ${PAGE_DIR}`);
}
