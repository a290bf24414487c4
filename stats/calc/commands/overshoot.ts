// `overshoot`: how far past a limit a task gets under memlimits' own engine,
// which reads exact meters at Poisson instants (stats/overshoot.ts).
import {
  ENGINE_SAMPLING_INTERVAL_MS,
  meanOvershoot,
  overshootBytes,
  POOL_WATCH_INTERVAL_MS,
} from "../../mod.ts";
import { MAX_MAGNITUDE } from "../../validate.ts";
import type { Command } from "../command.ts";
import { UsageError } from "../errors.ts";
import { formatNumber, parseNumber } from "../numbers.ts";
import { parseTarget, required } from "../options.ts";
import { readWordSize } from "../settings.ts";
import { formatBytes, parseAllocationRate, type WordSize } from "../sizes.ts";
import { DIGITS, formatTarget, lines } from "../text.ts";

/** Where the sampling interval τ comes from. */
export type IntervalSource = "engine" | "pool" | "given";

/** The input of {@linkcode overshootResult}. */
export interface OvershootOptions {
  /** t, the accepted chance of not yet being interrupted. */
  target: number;
  /** R, the allocation rate in bytes per second. */
  bytesPerSecond: number;
  /**
   * τ in milliseconds, or where to take it from: `"engine"` (the in-thread
   * engine's default `samplingInterval`, the default) or `"pool"` (the worker
   * pool's watch interval).
   */
  interval?: number | "engine" | "pool";
  /** Bytes per word, reported as the unit of word sizes (default 8). */
  wordSize?: WordSize;
}

/** What `overshoot --json` prints. */
export interface OvershootResult {
  /** The command's name. */
  command: "overshoot";
  /** t. */
  target: number;
  /** R. */
  allocRate: { bytesPerSecond: number };
  /** τ and where it comes from. */
  samplingInterval: { ms: number; source: IntervalSource };
  /** R·τ, the mean overshoot. */
  meanOvershoot: { bytes: number };
  /** The allocation past the limit after which the chance of no interrupt yet is at most t. */
  overshoot: { bytes: number };
  /** Bytes per word (for rates given in words). */
  wordSize: WordSize;
}

/**
 * τ in milliseconds for an interval option: `"engine"` is the in-thread
 * engine's default, `"pool"` the pool's watch interval, a number itself.
 *
 * @example
 * ```ts
 * import { samplingIntervalMs } from "./overshoot.ts";
 * samplingIntervalMs("pool"); // 1
 * ```
 */
export function samplingIntervalMs(
  interval: number | "engine" | "pool",
): number {
  return interval === "engine"
    ? ENGINE_SAMPLING_INTERVAL_MS
    : interval === "pool"
    ? POOL_WATCH_INTERVAL_MS
    : interval;
}

/**
 * The overshoot bound past a limit for a task allocating `bytesPerSecond`,
 * with readings at Poisson instants of mean interval τ: `detectionAllocations(t, 1/(R·τ))` bytes.
 *
 * @throws {RangeError} from the statistics core, e.g. for R·τ below 1 byte
 * @example
 * ```ts
 * import { overshootResult } from "./overshoot.ts";
 * overshootResult({ target: 1e-9, bytesPerSecond: 100 * 2 ** 20 }).overshoot; // { bytes: 21729909 }
 * ```
 */
export function overshootResult(options: OvershootOptions): OvershootResult {
  const { target, bytesPerSecond } = options;
  const interval = options.interval ?? "engine";
  const source: IntervalSource = typeof interval === "number"
    ? "given"
    : interval;
  const ms = samplingIntervalMs(interval);
  return {
    command: "overshoot",
    target,
    allocRate: { bytesPerSecond },
    samplingInterval: { ms, source },
    meanOvershoot: { bytes: meanOvershoot(bytesPerSecond, ms) },
    overshoot: { bytes: overshootBytes(target, bytesPerSecond, ms) },
    wordSize: options.wordSize ?? 8,
  };
}

const SOURCES: Record<IntervalSource, string> = {
  engine:
    "the in-thread engine's default samplingInterval (readings at Poisson instants)",
  pool:
    "the worker pool's watch interval (a fixed period: the bound is conservative)",
  given: "as given (readings at Poisson instants)",
};

/** Bytes with a binary unit, and exactly when that is rounded. */
function bytesText(bytes: number): string {
  const short = formatBytes(bytes, DIGITS);
  return bytes < 1024 || !Number.isInteger(bytes)
    ? short
    : `${short} (${formatNumber(bytes, 16)} bytes)`;
}

/**
 * `overshoot`'s text.
 *
 * @example
 * ```ts
 * import { overshootResult, overshootText } from "./overshoot.ts";
 * console.log(overshootText(overshootResult({ target: 1e-9, bytesPerSecond: 100 * 2 ** 20 })));
 * ```
 */
export function overshootText(result: OvershootResult): string {
  const { ms, source } = result.samplingInterval;
  return [
    `Past a limit, a task allocating R = ${
      formatBytes(result.allocRate.bytesPerSecond, DIGITS)
    }/s is interrupted, except with probability ${
      formatTarget(result.target)
    }, within`,
    lines([
      ["overshoot", bytesText(result.overshoot.bytes)],
      [
        "mean R·τ",
        `${
          bytesText(result.meanOvershoot.bytes)
        }; the overshoot is exponential`,
      ],
      ["τ", `${formatNumber(ms, DIGITS)} ms, ${SOURCES[source]}`],
    ]),
    "memlimits' limits read exact meters: they never fire before the limit is reached.",
    "Leave that much headroom between a memory limit and real exhaustion.",
  ].join("\n");
}

/**
 * The `overshoot` command, as `calc overshoot` runs it.
 *
 * @example
 * ```ts
 * import { runCli } from "../main.ts";
 * console.log(runCli(["overshoot", "--help"]).stdout);
 * ```
 */
export const OVERSHOOT: Command = {
  name: "overshoot",
  synopsis: "--alloc-rate R --target t [--sampling-interval ms | --pool]",
  summary:
    "allocation past a limit after which the chance that the task has not yet been interrupted is ≤ t",
  model: "engine",
  details:
    `memlimits' limits read exact meters (allocated bytes, heap, resident set) at Poisson instants of
mean interval τ: a limit never fires before it is reached. Past it, the allocation until the next
reading is exponential with mean R·τ; the bound is the smallest x with (1 - 1/(R·τ))^x <= t,
detectionAllocations(t, 1/(R·τ)) bytes, about -ln(t)·R·τ.`,
  options: [
    {
      name: "alloc-rate",
      value: "R",
      help:
        "the task's allocation rate (for a memory limit: how fast memory grows), a size per second (e.g. 100MiB/s)",
    },
    {
      name: "target",
      value: "t",
      help:
        "target probability t in (0, 1): the accepted chance of no interrupt yet (e.g. 1e-9)",
    },
    {
      name: "sampling-interval",
      value: "ms",
      help:
        `mean interval τ between readings, in ms (default ${ENGINE_SAMPLING_INTERVAL_MS}, the engine's samplingInterval)`,
    },
    {
      name: "pool",
      help:
        `use the worker pool's watch interval, ${POOL_WATCH_INTERVAL_MS} ms, as τ`,
    },
  ],
  takesRate: false,
  takesWordSize: true,
  run(options) {
    const wordSize = readWordSize(options);
    const rateText = required(
      options,
      "alloc-rate",
      "R (e.g. 100MiB/s)",
      "overshoot",
    );
    const bytesPerSecond = parseAllocationRate(
      "--alloc-rate",
      rateText,
      wordSize,
    );
    const target = parseTarget(required(options, "target", "t", "overshoot"));
    const intervalText = options.values.get("sampling-interval")?.[0];
    if (intervalText !== undefined && options.flags.has("pool")) {
      throw new UsageError(
        "--pool",
        "give either --sampling-interval or --pool, not both",
      );
    }
    const interval = options.flags.has("pool")
      ? "pool"
      : intervalText === undefined
      ? "engine"
      : parseNumber(
        "--sampling-interval",
        intervalText,
        (ms) => ms > 0 && ms <= MAX_MAGNITUDE,
        "a positive number of milliseconds, e.g. 2 (the engine accepts 1 to 10)",
      );
    const ms = samplingIntervalMs(interval);
    if (!(bytesPerSecond * ms / 1000 >= 1)) {
      throw UsageError.expected(
        "--alloc-rate",
        `at least 1 byte per sampling interval (${
          formatNumber(1000 / ms)
        } B/s at τ = ${formatNumber(ms)} ms)`,
        rateText,
      );
    }
    const result = overshootResult({
      target,
      bytesPerSecond,
      interval,
      wordSize,
    });
    return { json: result, text: overshootText(result) };
  },
};
