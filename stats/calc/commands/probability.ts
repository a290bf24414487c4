// `probability`: P_a(n) under a limit (memprof's model).
import { interruptProbability } from "../../mod.ts";
import type { Command } from "../command.ts";
import { formatNumber } from "../numbers.ts";
import { memprofRun, positiveSizeInput, sizeInput } from "../memprof_run.ts";
import { limitOption } from "../options.ts";
import {
  type Settings,
  type SettingsJson,
  settingsJson,
  settingsLine,
} from "../settings.ts";
import { formatSize, type Size, size } from "../sizes.ts";
import { DIGITS, lines } from "../text.ts";

/** The input of {@linkcode probabilityResult}. */
export interface ProbabilityOptions extends Settings {
  /** The limit l, in words. */
  limit: number;
  /** n, the allocations done so far, in words. */
  after: number;
}

/** What `probability --json` prints. */
export interface ProbabilityResult extends SettingsJson {
  /** The command's name. */
  command: "probability";
  /** The limit l. */
  limit: Size;
  /** k = l·p, samples to interrupt. */
  k: number;
  /** n. */
  after: Size;
  /** P_a(n). */
  interruptProbability: number;
}

/**
 * P_a(n), the chance of having been interrupted after `after` words under `limit`.
 *
 * @example
 * ```ts
 * import { probabilityResult } from "./probability.ts";
 * probabilityResult({ limit: 131072, after: 150000, rate: 1e-4, wordSize: 8 }).interruptProbability; // ≈ 0.7227
 * ```
 */
export function probabilityResult(
  options: ProbabilityOptions,
): ProbabilityResult {
  const { limit, after, rate, wordSize } = options;
  return {
    command: "probability",
    ...settingsJson(options),
    limit: size(limit, wordSize),
    k: limit * rate,
    after: size(after, wordSize),
    interruptProbability: interruptProbability(after, limit, rate),
  };
}

/**
 * `probability`'s text.
 *
 * @example
 * ```ts
 * import { probabilityResult, probabilityText } from "./probability.ts";
 * console.log(probabilityText(probabilityResult({ limit: 131072, after: 150000, rate: 1e-4, wordSize: 8 })));
 * ```
 */
export function probabilityText(result: ProbabilityResult): string {
  const { wordSize } = result;
  return [
    `Under the limit l = ${
      formatSize(result.limit.words, wordSize, DIGITS)
    }, after n = ${formatSize(result.after.words, wordSize, DIGITS)} (n/l = ${
      formatNumber(result.after.words / result.limit.words, DIGITS)
    })`,
    lines([
      [
        "P_a(n)",
        `${
          formatNumber(result.interruptProbability, DIGITS)
        } (chance of having been interrupted)`,
      ],
      ["k = l·p", `${formatNumber(result.k, DIGITS)} samples to interrupt`],
    ]),
    settingsLine(result),
  ].join("\n");
}

/**
 * The `probability` command, as `calc probability` runs it.
 *
 * @example
 * ```ts
 * import { runCli } from "../main.ts";
 * console.log(runCli(["probability", "--help"]).stdout);
 * ```
 */
export const PROBABILITY: Command = {
  name: "probability",
  synopsis: "--limit l --after n",
  summary:
    "P_a(n), the probability of having been interrupted after n allocations under the limit l",
  model: "memprof",
  options: [limitOption, {
    name: "after",
    value: "n",
    help: "allocations done so far, a size (e.g. 2e6)",
  }],
  takesRate: true,
  takesWordSize: true,
  run: memprofRun(
    "probability",
    { limit: positiveSizeInput("l"), after: sizeInput("n") },
    probabilityResult,
    probabilityText,
  ),
};
