// `table`: memprof-limits' accuracy table for each target.
import { type AccuracyRow, accuracyTable } from "../../mod.ts";
import { UsageError } from "../errors.ts";
import type { Command } from "../command.ts";
import { formatNumber } from "../numbers.ts";
import { parseTarget, targetOption } from "../options.ts";
import {
  readSettings,
  type Settings,
  type SettingsJson,
  settingsJson,
  settingsLine,
} from "../settings.ts";
import { formatBytes, formatKilowords, type Size, size } from "../sizes.ts";
import { textTable } from "../text_table.ts";
import { DIGITS, formatTarget, jsonNumber } from "../text.ts";

/** The input of {@linkcode tableResult}. */
export interface TableOptions extends Settings {
  /** The targets t, one table each. */
  targets: number[];
}

/** One row of a table in `table --json`. */
export interface TableRow {
  /** k, samples to interrupt. */
  k: number;
  /** l = k/p. */
  limit: Size;
  /** N. */
  safe: Size;
  /** (l − N)/N; null where N = 0. */
  error: number | null;
}

/** What `table --json` prints. */
export interface TableResult extends SettingsJson {
  /** The command's name. */
  command: "table";
  /** One table per target, in the order given. */
  tables: { target: number; rows: TableRow[] }[];
}

/**
 * The accuracy table (k, l, N, error) for each target.
 *
 * @example
 * ```ts
 * import { tableResult } from "./table.ts";
 * tableResult({ targets: [1e-9], rate: 1e-4, wordSize: 8 }).tables[0].rows.length; // 16
 * ```
 */
export function tableResult(options: TableOptions): TableResult {
  const { rate, wordSize } = options;
  return {
    command: "table",
    ...settingsJson(options),
    tables: options.targets.map((target) => ({
      target,
      rows: accuracyTable({ target, rate }).map((row) => ({
        k: row.k,
        limit: size(row.limit, wordSize),
        safe: size(row.safe, wordSize),
        error: jsonNumber(row.error),
      })),
    })),
  };
}

/**
 * The accuracy table for one target as terminal text: k, l, N (in kilowords and
 * bytes) and the error (l - N)/N, one row per k.
 *
 * @example
 * ```ts
 * import { accuracyText } from "./table.ts";
 * console.log(accuracyText(1e-9, { rate: 1e-4, wordSize: 8 }));
 * ```
 */
export function accuracyText(
  target: number,
  settings: Settings,
  rows?: AccuracyRow[],
): string {
  const { rate, wordSize } = settings;
  const table = rows ?? accuracyTable({ target, rate });
  return [
    `t = ${
      formatTarget(target)
    }: N is safe with probability 1 - t under the limit l = k/p`,
    textTable(
      ["k", "l (kw)", "l (bytes)", "N (kw)", "N (bytes)", "(l - N)/N"],
      table.map((row) => [
        formatNumber(row.k, DIGITS),
        formatKilowords(row.limit),
        formatBytes(row.limit * wordSize),
        formatKilowords(row.safe),
        formatBytes(row.safe * wordSize),
        formatNumber(row.error),
      ]),
    ),
  ].join("\n");
}

/**
 * `table`'s text.
 *
 * @example
 * ```ts
 * import { tableResult, tableText } from "./table.ts";
 * console.log(tableText(tableResult({ targets: [1e-9], rate: 1e-4, wordSize: 8 })));
 * ```
 */
export function tableText(result: TableResult): string {
  const rows = (table: TableRow[]): AccuracyRow[] =>
    table.map((row) => ({
      k: row.k,
      limit: row.limit.words,
      safe: row.safe.words,
      error: row.error ?? Infinity,
    }));
  return [
    ...result.tables.map(({ target, rows: table }) =>
      accuracyText(target, result, rows(table))
    ),
    settingsLine(result),
  ].join("\n\n");
}

/**
 * The `table` command, as `calc table` runs it.
 *
 * @example
 * ```ts
 * import { runCli } from "../main.ts";
 * console.log(runCli(["table", "--help"]).stdout);
 * ```
 */
export const TABLE: Command = {
  name: "table",
  synopsis: "--target t [--target t ...]",
  summary:
    "the accuracy table: k, l, N and the error (l - N)/N for each target t",
  model: "memprof",
  options: [{ ...targetOption, repeatable: true }],
  takesRate: true,
  takesWordSize: true,
  run(options) {
    const settings = readSettings(options);
    const texts = options.values.get("target");
    if (texts === undefined) {
      throw new UsageError(
        "--target",
        "missing; table needs at least one --target t",
      );
    }
    const result = tableResult({
      ...settings,
      targets: texts.map((text) => parseTarget(text)),
    });
    return { json: result, text: tableText(result) };
  },
};
