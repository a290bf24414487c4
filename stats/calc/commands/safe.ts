// `safe`: N, the allocations that stay safe under a limit (memprof's model).
import { safeAllocations } from "../../mod.ts";
import type { Command } from "../command.ts";
import { formatNumber } from "../numbers.ts";
import { memprofRun, positiveSizeInput, TARGET_INPUT } from "../memprof_run.ts";
import { limitOption, targetOption } from "../options.ts";
import {
  type Settings,
  type SettingsJson,
  settingsJson,
  settingsLine,
} from "../settings.ts";
import { formatSize, type Size, size } from "../sizes.ts";
import { DIGITS, formatTarget, jsonNumber, lines } from "../text.ts";

/** The input of {@linkcode safeResult}. */
export interface SafeOptions extends Settings {
  /** The limit l, in words. */
  limit: number;
  /** t, the accepted chance of an interrupt before N. */
  target: number;
}

/** What `safe --json` prints. */
export interface SafeResult extends SettingsJson {
  /** The command's name. */
  command: "safe";
  /** t. */
  target: number;
  /** The limit l. */
  limit: Size;
  /** k = l·p, samples to interrupt. */
  k: number;
  /** N. */
  safe: Size;
  /** The error (l − N)/N; null where N = 0. */
  error: number | null;
}

/**
 * N, the allocations that stay uninterrupted under `limit` with probability 1 − t.
 *
 * @example
 * ```ts
 * import { safeResult } from "./safe.ts";
 * safeResult({ limit: 131072, target: 4e-15, rate: 1e-4, wordSize: 8 }).safe; // { words: 4710, bytes: 37680 }
 * ```
 */
export function safeResult(options: SafeOptions): SafeResult {
  const { limit, target, rate, wordSize } = options;
  const safe = safeAllocations(limit, target, rate);
  return {
    command: "safe",
    ...settingsJson(options),
    target,
    limit: size(limit, wordSize),
    k: limit * rate,
    safe: size(safe, wordSize),
    error: jsonNumber((limit - safe) / safe),
  };
}

/**
 * `safe`'s text.
 *
 * @example
 * ```ts
 * import { safeResult, safeText } from "./safe.ts";
 * console.log(safeText(safeResult({ limit: 131072, target: 4e-15, rate: 1e-4, wordSize: 8 })));
 * ```
 */
export function safeText(result: SafeResult): string {
  const { wordSize } = result;
  return [
    `Under the limit l = ${
      formatSize(result.limit.words, wordSize, DIGITS)
    }, with probability 1 - ${
      formatTarget(result.target)
    } no interrupt comes before`,
    lines([
      ["N", formatSize(result.safe.words, wordSize, DIGITS)],
      ["k = l·p", `${formatNumber(result.k, DIGITS)} samples to interrupt`],
      ["error (l - N)/N", formatNumber(result.error ?? Infinity, DIGITS)],
    ]),
    settingsLine(result),
  ].join("\n");
}

/**
 * The `safe` command, as `calc safe` runs it.
 *
 * @example
 * ```ts
 * import { runCli } from "../main.ts";
 * console.log(runCli(["safe", "--help"]).stdout);
 * ```
 */
export const SAFE: Command = {
  name: "safe",
  synopsis: "--limit l --target t",
  summary:
    "N, the allocations that stay safe under the limit l with probability 1 - t",
  model: "memprof",
  options: [limitOption, targetOption],
  takesRate: true,
  takesWordSize: true,
  run: memprofRun(
    "safe",
    { limit: positiveSizeInput("l"), target: TARGET_INPUT },
    safeResult,
    safeText,
  ),
};
