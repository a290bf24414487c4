// `observed`: a limit from the values of observed runs, distribution-free
// (Wilks' order-statistic bound, stats/observed.ts).
import {
  DEFAULT_CONFIDENCE,
  observedLimit,
  runsNeeded,
  supportedTarget,
} from "../../mod.ts";
import type { Command } from "../command.ts";
import { UsageError } from "../errors.ts";
import { formatBytes } from "../sizes.ts";
import { formatNumber, parseNumber } from "../numbers.ts";
import { parseObservations } from "../observations.ts";
import { parseTarget, required } from "../options.ts";
import { DIGITS, formatTarget, lines } from "../text.ts";

/** The input of {@linkcode observedResult}. */
export interface ObservedOptions {
  /** The observed values, one per run, in their own unit. */
  values: readonly number[];
  /** t, the accepted chance that a new run exceeds the limit. */
  target: number;
  /** c, the confidence required (default 0.95). */
  confidence?: number;
  /** Where the values come from, as shown (a file name, `-` for standard input). */
  source?: string;
  /** The property read from JSON lines, if any (`peakMemory`, `cpuMs`, …). */
  field?: string;
}

/** What `observed --json` prints: its first fields, then those of enough or not. */
export interface ObservedCommon {
  /** The command's name. */
  command: "observed";
  /** Where the values come from. */
  source: string | null;
  /** The property read, or null for plain numbers. */
  field: string | null;
  /** n, the number of runs. */
  runs: number;
  /** t. */
  target: number;
  /** c, the confidence required. */
  requiredConfidence: number;
  /** x_(n), the largest value. */
  largest: number;
}

/** `observed --json` when the runs are enough: the limit x_(m). */
export interface ObservedEnough extends ObservedCommon {
  /** The runs are enough. */
  enough: true;
  /** m, the rank of the limit among the sorted values (1-based). */
  index: number;
  /** x_(m), the limit, in the values' unit. */
  limit: number;
  /** I_t(n − m + 1, m): the confidence reached, at least c. */
  confidence: number;
}

/** `observed --json` when even x_(n) is not enough. */
export interface ObservedNotEnough extends ObservedCommon {
  /** Even the largest value is not enough. */
  enough: false;
  /** The runs that t needs at c: the smallest n with 1 − (1 − t)^n ≥ c. */
  runsNeeded: number;
  /** The smallest t these runs support: 1 − (1 − c)^(1/n). */
  supportedTarget: number;
}

/** What `observed --json` prints. */
export type ObservedResult = ObservedEnough | ObservedNotEnough;

/**
 * The limit from observed values: the smallest x_(m) that a new run exceeds
 * with probability at most t, with confidence at least c; or, when even the
 * largest is not enough, the runs needed and the target these runs support.
 *
 * @throws {RangeError} for no values, a value that is not finite, or t or c outside (0, 1)
 * @example
 * ```ts
 * import { observedResult } from "./observed.ts";
 * const values = Array.from({ length: 1000 }, (_, i) => 1000 + i);
 * observedResult({ values, target: 0.01 }); // { …, enough: true, index: 996, limit: 1995, confidence: 0.971… }
 * ```
 */
export function observedResult(options: ObservedOptions): ObservedResult {
  const { values, target } = options;
  const confidence = options.confidence ?? DEFAULT_CONFIDENCE;
  const found = observedLimit(values, target, confidence);
  const common: ObservedCommon = {
    command: "observed",
    source: options.source ?? null,
    field: options.field ?? null,
    runs: values.length,
    target,
    requiredConfidence: confidence,
    largest: values.reduce((a, b) => Math.max(a, b)),
  };
  if (found !== undefined) {
    return {
      ...common,
      enough: true,
      index: found.index,
      limit: found.value,
      confidence: found.confidence,
    };
  }
  return {
    ...common,
    enough: false,
    runsNeeded: runsNeeded(target, confidence),
    supportedTarget: supportedTarget(values.length, confidence),
  };
}

const BYTE_FIELDS = new Set(["peakMemory", "allocated"]);
const MS_FIELDS = new Set(["cpuMs", "wallMs"]);

/** A value in its unit where the field tells it (bytes, ms), exactly. */
function valueText(value: number, field: string | null): string {
  if (field !== null && BYTE_FIELDS.has(field)) {
    return `${value} bytes (${formatBytes(value, DIGITS)})`;
  }
  if (field !== null && MS_FIELDS.has(field)) return `${value} ms`;
  return String(value);
}

/** "the 5th largest" for a rank m among n. */
function rankText(m: number, n: number): string {
  const fromTop = n - m + 1;
  if (fromTop === 1) return "the largest";
  const suffix = fromTop % 100 >= 11 && fromTop % 100 <= 13
    ? "th"
    : ["th", "st", "nd", "rd"][fromTop % 10] ?? "th";
  return `the ${formatNumber(fromTop, DIGITS)}${suffix} largest`;
}

/**
 * `observed`'s text.
 *
 * @example
 * ```ts
 * import { observedResult, observedText } from "./observed.ts";
 * console.log(observedText(observedResult({ values: [3, 1, 2], target: 0.5 })));
 * ```
 */
export function observedText(result: ObservedResult): string {
  const n = formatNumber(result.runs, DIGITS);
  const runs = `${n} run${result.runs === 1 ? "" : "s"}${
    result.source === null
      ? ""
      : ` (${result.field === null ? "" : `${result.field} in `}${
        result.source === "-" ? "standard input" : result.source
      })`
  }`;
  const t = formatTarget(result.target);
  const c = formatTarget(result.requiredConfidence);
  if (result.enough) {
    return [
      `From ${runs}: a new run exceeds the limit with probability at most ${t}, with confidence at least ${c}, for`,
      lines([
        ["limit", valueText(result.limit, result.field)],
        [
          "x_(m)",
          `m = ${formatNumber(result.index, DIGITS)}, ${
            rankText(result.index, result.runs)
          } of the ${n} values`,
        ],
        [
          "confidence",
          `${formatNumber(result.confidence, DIGITS)} = I_t(n - m + 1, m)`,
        ],
      ]),
      "Distribution-free (Wilks): it holds if the runs are independent and like the ones to come.",
    ].join("\n");
  }
  return [
    `${runs} are not enough for t = ${t} at confidence ${c}: even the largest value,`,
    `${valueText(result.largest, result.field)}, is not.`,
    lines([
      [
        "runs needed",
        `${formatNumber(result.runsNeeded, DIGITS)} for t = ${t} at ${c}`,
      ],
      [
        "supported t",
        `${
          formatNumber(result.supportedTarget, DIGITS)
        } with these ${n} (their largest value as the limit)`,
      ],
    ]),
  ].join("\n");
}

/**
 * The `observed` command; reads FILE (or standard input) through `io`.
 *
 * @example
 * ```ts
 * import { runCli } from "../main.ts";
 * console.log(runCli(["observed", "--from", "runs.txt", "--target", "0.01"]).stdout);
 * ```
 */
export const OBSERVED: Command = {
  name: "observed",
  synopsis: "--from FILE --target t [--confidence c] [--field name]",
  summary:
    "the limit a new run exceeds with probability ≤ t, from the values of observed runs",
  model: "observed",
  details:
    `With the n values sorted, x_(1) <= ... <= x_(n), a new run from the same distribution exceeds x_(m)
with probability at most t with confidence I_t(n - m + 1, m) (Wilks, distribution-free); the limit
is x_(m) for the smallest m whose confidence is at least c. When even x_(n) is not enough, it gives
the runs that t needs at c and the smallest t these runs support.
Values are read in their own unit: bytes for peakMemory and allocated, ms for cpuMs and wallMs.
Each line is a number, or with --field a JSON object, e.g. JSON.stringify(result.usage) per run.`,
  options: [
    {
      name: "from",
      value: "FILE",
      help:
        "one number per line, or one JSON object per line (with --field); - for standard input",
    },
    {
      name: "target",
      value: "t",
      help:
        "target probability t in (0, 1): the accepted chance that a new run exceeds the limit (e.g. 1e-3)",
    },
    {
      name: "confidence",
      value: "c",
      help:
        `the confidence c in (0, 1) required of the limit (default ${DEFAULT_CONFIDENCE})`,
    },
    {
      name: "field",
      value: "name",
      help:
        "the property to read from JSON lines: peakMemory, allocated (bytes), cpuMs, wallMs (ms), …",
    },
  ],
  takesRate: false,
  takesWordSize: false,
  run(options, io) {
    const from = required(
      options,
      "from",
      "FILE (or - for standard input)",
      "observed",
    );
    const target = parseTarget(required(options, "target", "t", "observed"));
    const confidenceText = options.values.get("confidence")?.[0];
    const confidence = confidenceText === undefined
      ? DEFAULT_CONFIDENCE
      : parseNumber(
        "--confidence",
        confidenceText,
        (c) => c > 0 && c < 1,
        "a confidence strictly between 0 and 1, e.g. 0.95",
      );
    const field = options.values.get("field")?.[0];
    if (field !== undefined && field.trim() === "") {
      throw new UsageError("--field", 'expected a property name, got ""');
    }
    const source = from === "-" ? "stdin" : from;
    const values = parseObservations(io.readText(from), source, field);
    const result = observedResult({
      values,
      target,
      confidence,
      source: from,
      field,
    });
    return { json: result, text: observedText(result) };
  },
};
