// The calculator's commands. Every number comes from the statistics core
// (stats/mod.ts); this file only reads options, converts units and formats.
import {
  type AccuracyRow,
  accuracyTable,
  DEFAULT_SAMPLING_RATE,
  detectionAllocations,
  interruptProbability,
  minimalSamplingRate,
  recommendLimit,
  safeAllocations,
} from "../mod.ts";
import { MAX_MAGNITUDE } from "../validate.ts";
import type { OptionSpec, ParsedOptions } from "./args.ts";

export type { AccuracyRow };
import { UsageError } from "./errors.ts";
import { formatNumber, parseNumber } from "./numbers.ts";
import {
  DEFAULT_WORD_SIZE,
  formatBytes,
  formatKilowords,
  formatSize,
  parseSize,
  POSITIVE_SIZE_ACCEPTS,
  size,
  SIZE_FORMS,
  type WordSize,
} from "./sizes.ts";
import { textTable } from "./text_table.ts";

/** Sampling rate and word size, from the common options. */
export interface Settings {
  /** Sampling rate p, samples per word. */
  rate: number;
  /** Bytes per word. */
  wordSize: WordSize;
}

/** What a command prints: a JSON object for `--json`, otherwise text. */
export interface Output {
  /** The object printed with `--json`. */
  json: Record<string, unknown>;
  /** The text printed otherwise. */
  text: string;
}

/** One calculator command. */
export interface Command {
  /** Its name on the command line. */
  name: string;
  /** Synopsis of its own options, e.g. `--safe N --target t`. */
  synopsis: string;
  /** One line saying what it computes. */
  summary: string;
  /** Its own options (the common ones are added by {@linkcode commandOptions}). */
  options: OptionSpec[];
  /** Whether `--rate` and `--interval` apply (not for `rate`, which computes the rate). */
  takesRate: boolean;
  /** Computes and formats the answer. */
  run(options: ParsedOptions, settings: Settings): Output;
}

const DIGITS = 4; // significant digits in the calculator's text output

const TARGET_ACCEPTS = "a probability strictly between 0 and 1, e.g. 1e-9";
const targetOption: OptionSpec = {
  name: "target",
  value: "t",
  help:
    "target probability t in (0, 1): the accepted chance of an interrupt before N (e.g. 1e-9)",
};
const safeOption: OptionSpec = {
  name: "safe",
  value: "N",
  help: "allocations that must stay safe, a size (e.g. 100KiB)",
};
const limitOption: OptionSpec = {
  name: "limit",
  value: "l",
  help: "the allocation limit, a size (e.g. 1MiB)",
};

/** Options every command takes (`--rate` and `--interval` only where they apply). */
export function commonOptions(takesRate: boolean): OptionSpec[] {
  return [
    ...(takesRate
      ? [
        {
          name: "rate",
          value: "p",
          help:
            `sampling rate per word, in (0, 1] (default ${DEFAULT_SAMPLING_RATE})`,
        },
        {
          name: "interval",
          value: "S",
          help: "mean sampling interval S = 1/p, a size (instead of --rate)",
        },
      ]
      : []),
    {
      name: "word-size",
      value: "8|4",
      help: `bytes per word: 8 on 64-bit (default), 4 on 32-bit`,
    },
    { name: "json", help: "print one JSON object instead of text" },
    { name: "help", help: "show this help" },
  ];
}

/** All options of a command: its own and the common ones. */
export function commandOptions(command: Command): OptionSpec[] {
  return [...command.options, ...commonOptions(command.takesRate)];
}

/** The single value of a required option, or a UsageError naming it. */
function required(
  options: ParsedOptions,
  name: string,
  what: string,
  command: string,
): string {
  const values = options.values.get(name);
  if (values === undefined) {
    throw new UsageError(
      `--${name}`,
      `missing; ${command} needs --${name} ${what}`,
    );
  }
  return values[0];
}

function parseTarget(text: string): number {
  return parseNumber("--target", text, (t) => t > 0 && t < 1, TARGET_ACCEPTS);
}

/** A size that must be positive (limits and safe allocations of zero have no answer). */
function positiveSize(
  option: string,
  text: string,
  wordSize: WordSize,
): number {
  const words = parseSize(option, text, wordSize);
  if (words <= 0) {
    throw UsageError.expected(option, POSITIVE_SIZE_ACCEPTS, text);
  }
  return words;
}

/**
 * Reads the common options: the word size first (sizes depend on it), then the
 * sampling rate from `--rate` or `--interval` (not both).
 *
 * @example
 * ```ts
 * import { readSettings } from "./commands.ts";
 * readSettings({ values: new Map([["interval", ["78.125KiB"]]]), flags: new Set() }); // { rate: 1e-4, wordSize: 8 }
 * ```
 */
export function readSettings(options: ParsedOptions): Settings {
  const wordSizeText = options.values.get("word-size")?.[0];
  let wordSize: WordSize = DEFAULT_WORD_SIZE;
  if (wordSizeText !== undefined) {
    if (wordSizeText.trim() !== "8" && wordSizeText.trim() !== "4") {
      throw UsageError.expected(
        "--word-size",
        "8 (64-bit) or 4 (32-bit)",
        wordSizeText,
      );
    }
    wordSize = Number(wordSizeText) as WordSize;
  }
  const rateText = options.values.get("rate")?.[0];
  const intervalText = options.values.get("interval")?.[0];
  if (rateText !== undefined && intervalText !== undefined) {
    throw new UsageError(
      "--interval",
      "give either --rate or --interval, not both",
    );
  }
  let rate = DEFAULT_SAMPLING_RATE;
  if (rateText !== undefined) {
    rate = parseNumber(
      "--rate",
      rateText,
      (p) => p > 0 && p <= 1,
      "a sampling rate per word in (0, 1], e.g. 1e-4",
    );
  } else if (intervalText !== undefined) {
    const accepts = `a size of at least 1 word: ${SIZE_FORMS}`;
    const words = parseSize("--interval", intervalText, wordSize);
    if (!(words >= 1)) {
      throw UsageError.expected("--interval", accepts, intervalText);
    }
    rate = 1 / words;
  }
  return { rate, wordSize };
}

/** The settings as they appear in every JSON answer. */
function settingsJson(settings: Settings): Record<string, unknown> {
  return {
    rate: settings.rate,
    interval: size(1 / settings.rate, settings.wordSize),
    wordSize: settings.wordSize,
  };
}

/** The settings as the last line of every text answer. */
function settingsLine(settings: Settings): string {
  return `(sampling rate p = ${
    formatNumber(settings.rate, DIGITS)
  } per word, S = 1/p = ${
    formatSize(1 / settings.rate, settings.wordSize, DIGITS)
  }; ${settings.wordSize * 8}-bit words of ${settings.wordSize} bytes)`;
}

/**
 * A target probability as given, in the shortest text that reads back to it
 * ("1e-9", "0.5"): rounded, 1 − 1e-7 would print as "1e0".
 */
function formatTarget(target: number): string {
  return String(target);
}

/** Aligns "name  value" lines. */
function lines(pairs: [string, string][]): string {
  const width = Math.max(...pairs.map(([name]) => [...name].length));
  return pairs.map(([name, value]) => `  ${name.padEnd(width)}  ${value}`).join(
    "\n",
  );
}

/** A JSON number: Infinity (an error with N = 0) becomes null, as JSON has no infinity. */
function jsonNumber(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

const recommend: Command = {
  name: "recommend",
  synopsis: "--safe N --target t",
  summary:
    "the allocation limit l that keeps N allocations safe with probability 1 - t",
  options: [safeOption, targetOption],
  takesRate: true,
  run(options, settings) {
    const { rate, wordSize } = settings;
    const safe = positiveSize(
      "--safe",
      required(options, "safe", "N (a size)", "recommend"),
      wordSize,
    );
    const target = parseTarget(required(options, "target", "t", "recommend"));
    const limit = recommendLimit(safe, target, rate);
    const k = limit * rate;
    const error = (limit - safe) / safe;
    const atSafe = interruptProbability(safe, limit, rate);
    return {
      json: {
        command: "recommend",
        ...settingsJson(settings),
        target,
        safe: size(safe, wordSize),
        limit: size(limit, wordSize),
        k,
        error,
        interruptProbabilityAtSafe: atSafe,
      },
      text: [
        `To keep N = ${
          formatSize(safe, wordSize, DIGITS)
        } of allocations uninterrupted with probability 1 - ${
          formatTarget(target)
        }, choose the limit`,
        lines([
          ["l", formatSize(limit, wordSize, DIGITS)],
          ["k = l·p", `${formatNumber(k, DIGITS)} samples to interrupt`],
          ["error (l - N)/N", formatNumber(error, DIGITS)],
          [
            "P_a(N)",
            `${formatNumber(atSafe, DIGITS)} (chance of an interrupt by N)`,
          ],
        ]),
        settingsLine(settings),
      ].join("\n"),
    };
  },
};

const safeCommand: Command = {
  name: "safe",
  synopsis: "--limit l --target t",
  summary:
    "N, the allocations that stay safe under the limit l with probability 1 - t",
  options: [limitOption, targetOption],
  takesRate: true,
  run(options, settings) {
    const { rate, wordSize } = settings;
    const limit = positiveSize(
      "--limit",
      required(options, "limit", "l (a size)", "safe"),
      wordSize,
    );
    const target = parseTarget(required(options, "target", "t", "safe"));
    const safe = safeAllocations(limit, target, rate);
    const error = (limit - safe) / safe;
    return {
      json: {
        command: "safe",
        ...settingsJson(settings),
        target,
        limit: size(limit, wordSize),
        k: limit * rate,
        safe: size(safe, wordSize),
        error: jsonNumber(error),
      },
      text: [
        `Under the limit l = ${
          formatSize(limit, wordSize, DIGITS)
        }, with probability 1 - ${
          formatTarget(target)
        } no interrupt comes before`,
        lines([
          ["N", formatSize(safe, wordSize, DIGITS)],
          [
            "k = l·p",
            `${formatNumber(limit * rate, DIGITS)} samples to interrupt`,
          ],
          ["error (l - N)/N", formatNumber(error, DIGITS)],
        ]),
        settingsLine(settings),
      ].join("\n"),
    };
  },
};

const probability: Command = {
  name: "probability",
  synopsis: "--limit l --after n",
  summary:
    "P_a(n), the probability of having been interrupted after n allocations under the limit l",
  options: [limitOption, {
    name: "after",
    value: "n",
    help: "allocations done so far, a size (e.g. 2e6)",
  }],
  takesRate: true,
  run(options, settings) {
    const { rate, wordSize } = settings;
    const limit = positiveSize(
      "--limit",
      required(options, "limit", "l (a size)", "probability"),
      wordSize,
    );
    const after = parseSize(
      "--after",
      required(options, "after", "n (a size)", "probability"),
      wordSize,
    );
    const p = interruptProbability(after, limit, rate);
    return {
      json: {
        command: "probability",
        ...settingsJson(settings),
        limit: size(limit, wordSize),
        k: limit * rate,
        after: size(after, wordSize),
        interruptProbability: p,
      },
      text: [
        `Under the limit l = ${
          formatSize(limit, wordSize, DIGITS)
        }, after n = ${formatSize(after, wordSize, DIGITS)} (n/l = ${
          formatNumber(after / limit, DIGITS)
        })`,
        lines([
          [
            "P_a(n)",
            `${formatNumber(p, DIGITS)} (chance of having been interrupted)`,
          ],
          [
            "k = l·p",
            `${formatNumber(limit * rate, DIGITS)} samples to interrupt`,
          ],
        ]),
        settingsLine(settings),
      ].join("\n"),
    };
  },
};

const detect: Command = {
  name: "detect",
  synopsis: "--target t",
  summary:
    "allocation past a global memory limit after which the chance of no interrupt yet is ≤ t",
  options: [{
    ...targetOption,
    help:
      "target probability t in (0, 1): the accepted chance of no interrupt yet (e.g. 1e-9)",
  }],
  takesRate: true,
  run(options, settings) {
    const { rate, wordSize } = settings;
    const target = parseTarget(required(options, "target", "t", "detect"));
    const n = detectionAllocations(target, rate);
    return {
      json: {
        command: "detect",
        ...settingsJson(settings),
        target,
        allocations: size(n, wordSize),
      },
      text: [
        `Once a global memory limit is reached, the chance of not yet being interrupted is at most ${
          formatTarget(target)
        } after`,
        lines([[
          "n",
          `${formatSize(n, wordSize, DIGITS)} of further allocation`,
        ]]),
        "Leave at least that much headroom between the limit and real memory exhaustion.",
        settingsLine(settings),
      ].join("\n"),
    };
  },
};

const rateCommand: Command = {
  name: "rate",
  synopsis: "--safe N --target t [--ratio 10]",
  summary:
    "the minimal sampling rate p that keeps N safe with probability 1 - t under the limit l = ratio·N",
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
  run(options, settings) {
    const { wordSize } = settings;
    const safe = positiveSize(
      "--safe",
      required(options, "safe", "N (a size)", "rate"),
      wordSize,
    );
    const target = parseTarget(required(options, "target", "t", "rate"));
    const ratioText = options.values.get("ratio")?.[0];
    const ratio = ratioText === undefined ? 10 : parseNumber(
      "--ratio",
      ratioText,
      (r) => r > 1 && r <= MAX_MAGNITUDE,
      "a ratio l/N greater than 1 and at most 1e50, e.g. 10",
    );
    const rate = minimalSamplingRate(safe, target, ratio);
    const enough = DEFAULT_SAMPLING_RATE >= rate;
    return {
      json: {
        command: "rate",
        wordSize,
        target,
        safe: size(safe, wordSize),
        ratio,
        limit: size(ratio * safe, wordSize),
        rate,
        interval: size(1 / rate, wordSize),
        defaultRateSuffices: enough,
      },
      text: [
        `To keep N = ${
          formatSize(safe, wordSize, DIGITS)
        } safe with probability 1 - ${formatTarget(target)} under l = ${
          formatNumber(ratio, DIGITS)
        }·N = ${
          formatSize(ratio * safe, wordSize, DIGITS)
        }, sample at least at`,
        lines([
          ["p", `${formatNumber(rate, DIGITS)} per word`],
          ["S = 1/p", formatSize(1 / rate, wordSize, DIGITS)],
        ]),
        `The default rate ${formatNumber(DEFAULT_SAMPLING_RATE)} per word is ${
          enough ? "enough" : "not enough"
        }.`,
        `(${wordSize * 8}-bit words of ${wordSize} bytes)`,
      ].join("\n"),
    };
  },
};

/**
 * The accuracy table for one target as terminal text: k, l, N (in kilowords and
 * bytes) and the error (l - N)/N, one row per k. Shared by `table` and `npm start`.
 *
 * @example
 * ```ts
 * import { accuracyText } from "./commands.ts";
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

const table: Command = {
  name: "table",
  synopsis: "--target t [--target t ...]",
  summary:
    "the accuracy table: k, l, N and the error (l - N)/N for each target t",
  options: [{ ...targetOption, repeatable: true }],
  takesRate: true,
  run(options, settings) {
    const { rate, wordSize } = settings;
    const texts = options.values.get("target");
    if (texts === undefined) {
      throw new UsageError(
        "--target",
        "missing; table needs at least one --target t",
      );
    }
    const targets = texts.map(parseTarget);
    const tables = targets.map((target) => ({
      target,
      rows: accuracyTable({ target, rate }),
    }));
    return {
      json: {
        command: "table",
        ...settingsJson(settings),
        tables: tables.map(({ target, rows }) => ({
          target,
          rows: rows.map((row) => ({
            k: row.k,
            limit: size(row.limit, wordSize),
            safe: size(row.safe, wordSize),
            error: jsonNumber(row.error),
          })),
        })),
      },
      text: [
        ...tables.map(({ target, rows }) =>
          accuracyText(target, settings, rows)
        ),
        settingsLine(settings),
      ]
        .join("\n\n"),
    };
  },
};

/** The calculator's commands, in the order help lists them. */
export const COMMANDS: readonly Command[] = [
  recommend,
  safeCommand,
  probability,
  detect,
  rateCommand,
  table,
];
