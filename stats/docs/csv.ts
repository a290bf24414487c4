// The data behind the charts and tables as CSV, for people who want to plot
// it themselves. Reals are rounded to 7 significant digits (see formatForCsv).
import { formatForCsv } from "../calc/numbers.ts";
import { DOCS_WORD_SIZE, type DocsData, RATE_RATIO, TARGETS } from "./data.ts";

/** Integers exactly, reals to 7 significant digits. */
function cell(x: number): string {
  return Number.isInteger(x) ? String(x) : formatForCsv(x, 7);
}

function csv(header: string[], rows: number[][]): string {
  return [header, ...rows.map((row) => row.map(cell))].map((row) =>
    row.join(",")
  ).join("\n") + "\n";
}

/**
 * The CSV files of the docs, by file name.
 *
 * @example
 * ```ts
 * import { computeDocsData } from "./data.ts";
 * import { csvFiles } from "./csv.ts";
 * const files = csvFiles(computeDocsData());
 * ```
 */
export function csvFiles(data: DocsData): Map<string, string> {
  const w = DOCS_WORD_SIZE;
  return new Map([
    [
      "overshoot.csv",
      csv(
        [
          "interval_ms",
          "target",
          "rate_bytes_per_s",
          "mean_overshoot_bytes",
          "overshoot_bytes",
        ],
        data.overshoot.flatMap(({ intervalMs, fine }) =>
          TARGETS.flatMap((target, i) =>
            fine.map((row) => [
              intervalMs,
              target,
              row.bytesPerSecond,
              row.mean,
              row.bounds[i],
            ])
          )
        ),
      ),
    ],
    [
      "interrupt-probability.csv",
      csv(
        [
          "k",
          "limit_words",
          "n_over_limit",
          "n_words",
          "interrupt_probability",
        ],
        data.interruptCurves.flatMap(({ k, points }) =>
          points.map((
            { ratio, probability },
          ) => [k, k / data.rate, ratio, (ratio * k) / data.rate, probability])
        ),
      ),
    ],
    [
      "accuracy.csv",
      csv(
        [
          "target",
          "k",
          "limit_words",
          "limit_bytes_64bit",
          "safe_words",
          "safe_bytes_64bit",
          "error",
        ],
        data.accuracy.flatMap(({ target, fine }) =>
          fine.map((
            row,
          ) => [
            target,
            row.k,
            row.limit,
            row.limit * w,
            row.safe,
            row.safe * w,
            row.error,
          ])
        ),
      ),
    ],
    [
      "limit-for-safe.csv",
      csv(
        [
          "target",
          "safe_words",
          "safe_bytes_64bit",
          "limit_words",
          "limit_bytes_64bit",
        ],
        TARGETS.flatMap((target, i) =>
          data.limitCurve.map((
            { safe, limits },
          ) => [target, safe, safe * w, limits[i], limits[i] * w])
        ),
      ),
    ],
    [
      "minimal-rate.csv",
      csv(
        [
          "target",
          "safe_words",
          "safe_bytes_64bit",
          "limit_words",
          "rate_per_word",
          "interval_words",
        ],
        TARGETS.flatMap((target, i) =>
          data.byTarget.map((
            { safe, rates },
          ) => [
            target,
            safe,
            safe * w,
            RATE_RATIO * safe,
            rates[i],
            1 / rates[i],
          ])
        ),
      ),
    ],
  ]);
}
