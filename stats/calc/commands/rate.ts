// `rate`: the minimal sampling rate for a safe allocation (memprof's model).
import { DEFAULT_SAMPLING_RATE, minimalSamplingRate } from "../../mod.ts";
import { MAX_MAGNITUDE } from "../../validate.ts";
import type { Command } from "../command.ts";
import { formatNumber, parseNumber } from "../numbers.ts";
import {
  parseTarget,
  positiveSize,
  required,
  safeOption,
  targetOption,
} from "../options.ts";
import { readWordSize } from "../settings.ts";
import { formatSize, type Size, size, type WordSize } from "../sizes.ts";
import { DIGITS, formatTarget, lines } from "../text.ts";

/**
 * The ratio l/N when none is given.
 *
 * @example
 * ```ts
 * import { DEFAULT_RATIO, rateResult } from "./rate.ts";
 * rateResult({ safe: 12800, target: 1e-9, wordSize: 8 }).ratio === DEFAULT_RATIO; // true
 * ```
 */
export const DEFAULT_RATIO = 10;

/** The input of {@linkcode rateResult}. */
export interface RateOptions {
  /** N, the allocations that must stay safe, in words. */
  safe: number;
  /** t, the accepted chance of an interrupt before N. */
  target: number;
  /** l/N, greater than 1 (default 10). */
  ratio?: number;
  /** Bytes per word. */
  wordSize: WordSize;
}

/** What `rate --json` prints. */
export interface RateResult {
  /** The command's name. */
  command: "rate";
  /** Bytes per word. */
  wordSize: WordSize;
  /** t. */
  target: number;
  /** N. */
  safe: Size;
  /** l/N. */
  ratio: number;
  /** l = ratio·N. */
  limit: Size;
  /** The minimal sampling rate p per word. */
  rate: number;
  /** S = 1/p. */
  interval: Size;
  /** Whether memprof's default rate is at least p. */
  defaultRateSuffices: boolean;
}

/**
 * The smallest sampling rate that keeps `safe` words safe with probability
 * 1 − t under the limit l = ratio·N.
 *
 * @example
 * ```ts
 * import { rateResult } from "./rate.ts";
 * rateResult({ safe: 12800, target: 1e-9, wordSize: 8 }).rate; // ≈ 1.3e-4
 * ```
 */
export function rateResult(options: RateOptions): RateResult {
  const { safe, target, wordSize } = options;
  const ratio = options.ratio ?? DEFAULT_RATIO;
  const rate = minimalSamplingRate(safe, target, ratio);
  return {
    command: "rate",
    wordSize,
    target,
    safe: size(safe, wordSize),
    ratio,
    limit: size(ratio * safe, wordSize),
    rate,
    interval: size(1 / rate, wordSize),
    defaultRateSuffices: DEFAULT_SAMPLING_RATE >= rate,
  };
}

/**
 * `rate`'s text.
 *
 * @example
 * ```ts
 * import { rateResult, rateText } from "./rate.ts";
 * console.log(rateText(rateResult({ safe: 12800, target: 1e-9, wordSize: 8 })));
 * ```
 */
export function rateText(result: RateResult): string {
  const { wordSize } = result;
  return [
    `To keep N = ${
      formatSize(result.safe.words, wordSize, DIGITS)
    } safe with probability 1 - ${formatTarget(result.target)} under l = ${
      formatNumber(result.ratio, DIGITS)
    }·N = ${
      formatSize(result.limit.words, wordSize, DIGITS)
    }, sample at least at`,
    lines([
      ["p", `${formatNumber(result.rate, DIGITS)} per word`],
      ["S = 1/p", formatSize(result.interval.words, wordSize, DIGITS)],
    ]),
    `The default rate ${formatNumber(DEFAULT_SAMPLING_RATE)} per word is ${
      result.defaultRateSuffices ? "enough" : "not enough"
    }.`,
    `(${wordSize * 8}-bit words of ${wordSize} bytes)`,
  ].join("\n");
}

/**
 * The `rate` command, as `calc rate` runs it.
 *
 * @example
 * ```ts
 * import { runCli } from "../main.ts";
 * console.log(runCli(["rate", "--help"]).stdout);
 * ```
 */
export const RATE: Command = {
  name: "rate",
  synopsis: "--safe N --target t [--ratio 10]",
  summary:
    "the minimal sampling rate p that keeps N safe with probability 1 - t under the limit l = ratio·N",
  model: "memprof",
  options: [
    safeOption,
    targetOption,
    {
      name: "ratio",
      value: "r",
      help: "the limit as a multiple of N, l = r·N, r > 1 (default 10)",
    },
  ],
  takesRate: false,
  takesWordSize: true,
  run(options) {
    const wordSize = readWordSize(options);
    const safe = positiveSize(
      "--safe",
      required(options, "safe", "N (a size)", "rate"),
      wordSize,
    );
    const target = parseTarget(required(options, "target", "t", "rate"));
    const ratioText = options.values.get("ratio")?.[0];
    const ratio = ratioText === undefined ? DEFAULT_RATIO : parseNumber(
      "--ratio",
      ratioText,
      (r) => r > 1 && r <= MAX_MAGNITUDE,
      "a ratio l/N greater than 1 and at most 1e50, e.g. 10",
    );
    const result = rateResult({ safe, target, ratio, wordSize });
    return { json: result, text: rateText(result) };
  },
};
