// `recommend`: the allocation limit l that keeps N safe (memprof's model).
import { interruptProbability, recommendLimit } from "../../mod.ts";
import type { Command } from "../command.ts";
import { formatNumber } from "../numbers.ts";
import { memprofRun, positiveSizeInput, TARGET_INPUT } from "../memprof_run.ts";
import { safeOption, targetOption } from "../options.ts";
import {
  type Settings,
  type SettingsJson,
  settingsJson,
  settingsLine,
} from "../settings.ts";
import { formatSize, type Size, size } from "../sizes.ts";
import { DIGITS, formatTarget, lines } from "../text.ts";

/** The input of {@linkcode recommendResult}. */
export interface RecommendOptions extends Settings {
  /** N, the allocations that must stay safe, in words. */
  safe: number;
  /** t, the accepted chance of an interrupt before N. */
  target: number;
}

/** What `recommend --json` prints. */
export interface RecommendResult extends SettingsJson {
  /** The command's name. */
  command: "recommend";
  /** t. */
  target: number;
  /** N. */
  safe: Size;
  /** The limit l. */
  limit: Size;
  /** k = l·p, samples to interrupt. */
  k: number;
  /** The error (l − N)/N. */
  error: number;
  /** P_a(N), the chance of an interrupt by N (≈ t). */
  interruptProbabilityAtSafe: number;
}

/**
 * The limit l that keeps `safe` words uninterrupted with probability 1 − t.
 *
 * @throws {RangeError} from the statistics core where it has no answer
 * @example
 * ```ts
 * import { recommendResult } from "./recommend.ts";
 * recommendResult({ safe: 12800, target: 1e-9, rate: 1e-4, wordSize: 8 }).limit; // { words: 130805.08…, bytes: … }
 * ```
 */
export function recommendResult(options: RecommendOptions): RecommendResult {
  const { safe, target, rate, wordSize } = options;
  const limit = recommendLimit(safe, target, rate);
  return {
    command: "recommend",
    ...settingsJson(options),
    target,
    safe: size(safe, wordSize),
    limit: size(limit, wordSize),
    k: limit * rate,
    error: (limit - safe) / safe,
    interruptProbabilityAtSafe: interruptProbability(safe, limit, rate),
  };
}

/**
 * `recommend`'s text.
 *
 * @example
 * ```ts
 * import { recommendResult, recommendText } from "./recommend.ts";
 * console.log(recommendText(recommendResult({ safe: 12800, target: 1e-9, rate: 1e-4, wordSize: 8 })));
 * ```
 */
export function recommendText(result: RecommendResult): string {
  const { wordSize } = result;
  return [
    `To keep N = ${
      formatSize(result.safe.words, wordSize, DIGITS)
    } of allocations uninterrupted with probability 1 - ${
      formatTarget(result.target)
    }, choose the limit`,
    lines([
      ["l", formatSize(result.limit.words, wordSize, DIGITS)],
      ["k = l·p", `${formatNumber(result.k, DIGITS)} samples to interrupt`],
      ["error (l - N)/N", formatNumber(result.error, DIGITS)],
      [
        "P_a(N)",
        `${
          formatNumber(result.interruptProbabilityAtSafe, DIGITS)
        } (chance of an interrupt by N)`,
      ],
    ]),
    settingsLine(result),
  ].join("\n");
}

/**
 * The `recommend` command, as `calc recommend` runs it.
 *
 * @example
 * ```ts
 * import { runCli } from "../main.ts";
 * console.log(runCli(["recommend", "--help"]).stdout);
 * ```
 */
export const RECOMMEND: Command = {
  name: "recommend",
  synopsis: "--safe N --target t",
  summary:
    "the allocation limit l that keeps N allocations safe with probability 1 - t",
  model: "memprof",
  options: [safeOption, targetOption],
  takesRate: true,
  takesWordSize: true,
  run: memprofRun(
    "recommend",
    { safe: positiveSizeInput("N"), target: TARGET_INPUT },
    recommendResult,
    recommendText,
  ),
};
