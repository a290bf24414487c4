/**
 * What `npm start` shows of the statistics: the calculator at work on one
 * `recommend` example and the accuracy table at the default rate. The lead's
 * main.ts calls {@linkcode printStartReport}. It runs the calculator's own
 * commands, so the numbers are those `npx memlimits` prints; its command lines
 * are `deno task calc`, which works where `npm start` runs (the checkout).
 *
 * @module
 */
import { runCli } from "./calc/main.ts";

/** The example shown: the seed's "N = 100 KiB needs l of about 1 MiB". */
const RECOMMEND_EXAMPLE = ["recommend", "--safe", "100KiB", "--target", "1e-9"];
/** The seed's targets. */
const TABLE_COMMAND = [
  "table",
  "--target",
  "1e-9",
  "--target",
  "4e-15",
  "--target",
  "1e-50",
];

function run(argv: string[]): string {
  const result = runCli(argv);
  if (result.status !== 0) {
    throw new Error(`calc ${argv.join(" ")} failed: ${result.stderr}`);
  }
  return result.stdout.trimEnd();
}

/**
 * The statistics part of the start report as text.
 *
 * @example
 * ```ts
 * import { startReport } from "./start.ts";
 * console.log(startReport());
 * ```
 */
export function startReport(): string {
  const quote = (argv: string[]) =>
    argv.map((arg) => (/\s/.test(arg) ? JSON.stringify(arg) : arg)).join(" ");
  return [
    "Choosing an allocation limit with the calculator: npx memlimits <command> (bunx memlimits on Bun)",
    "where memlimits is installed; in this checkout, deno task calc <command> or npm run calc -- <command>",
    "",
    `$ deno task calc ${quote(RECOMMEND_EXAMPLE)}`,
    run(RECOMMEND_EXAMPLE),
    "",
    "Accuracy of allocation limits at the default sampling rate: for k samples to interrupt, the limit",
    "l = k/p and the allocation N that stays safe with probability 1 - t (kw = 1000 words; bytes on 64-bit)",
    "",
    `$ deno task calc ${quote(TABLE_COMMAND)}`,
    run(TABLE_COMMAND),
    "",
    "Definitions, formulas, charts and more tables: docs/statistical.md",
  ].join("\n");
}

/**
 * Prints {@linkcode startReport} on standard output.
 *
 * @example
 * ```ts
 * import { printStartReport } from "./start.ts";
 * printStartReport();
 * ```
 */
export function printStartReport(): void {
  console.log(startReport());
}

if (import.meta.main) printStartReport();
