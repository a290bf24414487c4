// Every number the statistical docs show, computed once from the statistics
// core. Nothing here is numerics of its own: grids of inputs, unit conversion,
// and calls to stats/mod.ts.
import {
  type AccuracyRow,
  accuracyTable,
  DEFAULT_CONFIDENCE,
  DEFAULT_SAMPLING_RATE,
  detectionAllocations,
  ENGINE_SAMPLING_INTERVAL_MS,
  interruptProbability,
  meanOvershoot,
  minimalSamplingRate,
  type ObservedLimit,
  observedLimit,
  overshootBytes,
  POOL_WATCH_INTERVAL_MS,
  recommendLimit,
  runsNeeded,
  supportedTarget,
  triggerProbability,
} from "../mod.ts";
import type { WordSize } from "../calc/sizes.ts";

export type { AccuracyRow };

/** The targets t of the accuracy tables and charts, as in the seed. */
export const TARGETS: readonly number[] = [1e-9, 4e-15, 1e-50];
/** The targets of the global-memory-limit figures, as in the seed. */
export const DETECTION_TARGETS: readonly number[] = [1e-9, 1e-14, 1e-50];
/** Samples to interrupt, k, shown in the interrupt-probability chart. */
export const CHART_KS: readonly number[] = [1, 4, 16, 64, 256, 1024];
/** Word size of the sizes in bytes in tables and charts (64-bit, as in the seed). */
export const DOCS_WORD_SIZE: WordSize = 8;
/** Allocation after which the docs give the chance of an interrupt (the seed's 80 KiB). */
export const TRIGGER_BYTES = 80 * 1024;
/** Largest accepted error (l - N)/N for a limit to count as reasonably accurate. */
export const ACCURATE_ERROR = 10;
/** The ratio l/N of the minimal-sampling-rate table. */
export const RATE_RATIO = 10;

/** Bytes in a MiB. */
const MiB = 2 ** 20;
/** The sampling intervals of memlimits' overshoot figures: the engine's default and the pool's. */
export const OVERSHOOT_INTERVALS: readonly { ms: number; label: string }[] = [
  { ms: ENGINE_SAMPLING_INTERVAL_MS, label: "engine" },
  { ms: POOL_WATCH_INTERVAL_MS, label: "pool" },
];
/** Allocation rates (bytes per second) of the overshoot tables: 1 MiB/s to 10 GiB/s. */
export const OVERSHOOT_TABLE_RATES: readonly number[] = [
  1,
  10,
  100,
  1024,
  10240,
]
  .map((mib) => mib * MiB);
/** Targets of the runs-needed table. */
export const RUNS_TARGETS: readonly number[] = [
  0.1,
  0.05,
  0.01,
  1e-3,
  1e-4,
  1e-6,
  1e-9,
];
/** Numbers of runs of the rank table. */
export const RANK_RUNS: readonly number[] = [30, 100, 300, 1000, 10000];
/** Targets of the rank table. */
export const RANK_TARGETS: readonly number[] = [0.1, 0.05, 0.01, 1e-3];
/** The worked example of limits from observed runs: 1000 runs, t = 0.01. */
export const OBSERVED_EXAMPLE = { runs: 1000, target: 0.01 } as const;

/**
 * A log grid from 10^from to 10^to with `perDecade` points per decade, each
 * rounded to four significant digits: round inputs, and the same inputs on
 * every runtime even if `**` differs in the last bit.
 */
export function logGrid(from: number, to: number, perDecade: number): number[] {
  const grid: number[] = [];
  for (let i = from * perDecade; i <= to * perDecade; i++) {
    grid.push(Number((10 ** (i / perDecade)).toPrecision(4)));
  }
  return grid;
}

/** k for the printed accuracy table: 1, 2, 5, 10, ... 10^4. */
export const TABLE_KS: readonly number[] = [0, 1, 2, 3].flatMap((d) =>
  [1, 2, 5].map((m) => m * 10 ** d)
).concat(1e4);
/** k for the accuracy chart and CSV, and for finding where the error drops below 10: 20 per decade. */
export const FINE_KS: readonly number[] = logGrid(0, 4, 20);
/** Target safe allocations N in bytes for the tables read the other way: 1 KiB, 4 KiB, ... 1 GiB. */
export const TABLE_SAFE_BYTES: readonly number[] = Array.from(
  { length: 11 },
  (_, i) => 1024 * 4 ** i,
);
/** Target safe allocations N in bytes for the limit chart: 1 KiB to 10^6 KiB, 8 per decade. */
export const FINE_SAFE_BYTES: readonly number[] = logGrid(0, 6, 8).map((kib) =>
  kib * 1024
);

/**
 * Allocation rates (bytes per second) of the overshoot chart: 1 MiB/s to
 * 10^4 MiB/s, 8 per decade, whole bytes (so that the CSV holds them exactly).
 */
export const OVERSHOOT_CHART_RATES: readonly number[] = logGrid(0, 4, 8).map((
  mib,
) => Math.round(mib * MiB));

/** The overshoot bounds for one sampling interval. */
export interface OvershootSeries {
  /** τ in milliseconds. */
  intervalMs: number;
  /** Where τ comes from: the engine's default or the pool's watch interval. */
  label: string;
  /** Rows on {@linkcode OVERSHOOT_TABLE_RATES}. */
  table: OvershootRow[];
  /** Rows on {@linkcode OVERSHOOT_CHART_RATES}. */
  fine: OvershootRow[];
}

/** The overshoot at one allocation rate. */
export interface OvershootRow {
  /** R in bytes per second. */
  bytesPerSecond: number;
  /** R·τ in bytes. */
  mean: number;
  /** For each t (in {@linkcode TARGETS} order), the overshoot bound in bytes. */
  bounds: number[];
}

/** The figures of limits from observed runs. */
export interface ObservedFigures {
  /** The confidence they are for (the default). */
  confidence: number;
  /** Runs needed per target ({@linkcode RUNS_TARGETS}). */
  runsNeeded: { target: number; runs: number }[];
  /** The rank m to choose per number of runs and target, undefined where not enough. */
  ranks: { runs: number; limits: (ObservedLimit | undefined)[] }[];
  /** The worked example: its limit and the target its runs support with their largest value. */
  example: {
    runs: number;
    target: number;
    limit: ObservedLimit | undefined;
    supported: number;
  };
}

/** The global-memory-limit figures for one word size. */
export interface DetectionFigures {
  /** Bytes per word. */
  wordSize: WordSize;
  /** Words in {@linkcode TRIGGER_BYTES}. */
  triggerWords: number;
  /** P_t after {@linkcode TRIGGER_BYTES}: the chance of at least one sample. */
  triggerProbability: number;
  /** For each t, the allocation in words after which the chance of no sample is at most t. */
  detection: { target: number; words: number }[];
}

/** The accuracy data for one target t. */
export interface AccuracySeries {
  /** Target probability t. */
  target: number;
  /** Rows on {@linkcode TABLE_KS}. */
  table: AccuracyRow[];
  /** Rows on {@linkcode FINE_KS}. */
  fine: AccuracyRow[];
  /** The first fine row from which on the error stays below {@linkcode ACCURATE_ERROR}. */
  accurateFrom: AccuracyRow | undefined;
}

/** Limits and rates for a target safe allocation N, for one target t. */
export interface TargetRow {
  /** Target safe allocation N in words. */
  safe: number;
  /** For each t (in {@linkcode TARGETS} order), the limit l in words from recommendLimit. */
  limits: number[];
  /** For each t, the minimal sampling rate per word for l = 10·N. */
  rates: number[];
}

/** All data of the statistical docs. */
export interface DocsData {
  /** memlimits' own limits: the overshoot past a limit, per sampling interval. */
  overshoot: OvershootSeries[];
  /** Limits from observed runs. */
  observed: ObservedFigures;
  /** The sampling rate everything is computed for (the default). */
  rate: number;
  /** Global-memory-limit figures on 64-bit and 32-bit. */
  detection: DetectionFigures[];
  /** The accuracy table and chart data per target. */
  accuracy: AccuracySeries[];
  /** The limit l and minimal rate per target N ({@linkcode TABLE_SAFE_BYTES}). */
  byTarget: TargetRow[];
  /** Limit chart: l per t over {@linkcode FINE_SAFE_BYTES}. */
  limitCurve: { safe: number; limits: number[] }[];
  /** Interrupt chart: P_a against n/l, per k in {@linkcode CHART_KS}. */
  interruptCurves: {
    k: number;
    points: { ratio: number; probability: number }[];
  }[];
}

/** n/l from 0 to 3 in steps of 0.02 (exact decimals, computed from integers). */
const RATIOS = Array.from({ length: 151 }, (_, i) => i / 50);

/**
 * Computes every number of the docs from the statistics core at `rate`.
 *
 * @example
 * ```ts
 * import { computeDocsData } from "./data.ts";
 * const data = computeDocsData(1e-4);
 * ```
 */
export function computeDocsData(
  rate: number = DEFAULT_SAMPLING_RATE,
): DocsData {
  const wordSizes: WordSize[] = [8, 4];
  const detection = wordSizes.map((wordSize) => ({
    wordSize,
    triggerWords: TRIGGER_BYTES / wordSize,
    triggerProbability: triggerProbability(TRIGGER_BYTES / wordSize, rate),
    detection: DETECTION_TARGETS.map((target) => ({
      target,
      words: detectionAllocations(target, rate),
    })),
  }));

  const accuracy = TARGETS.map((target) => {
    const fine = accuracyTable({ target, rate, ks: [...FINE_KS] });
    const lastInaccurate = fine.findLastIndex((row) =>
      !(row.error < ACCURATE_ERROR)
    );
    return {
      target,
      table: accuracyTable({ target, rate, ks: [...TABLE_KS] }),
      fine,
      accurateFrom: fine[lastInaccurate + 1],
    };
  });

  const byTarget = TABLE_SAFE_BYTES.map((bytes) => {
    const safe = bytes / DOCS_WORD_SIZE;
    return {
      safe,
      limits: TARGETS.map((target) => recommendLimit(safe, target, rate)),
      rates: TARGETS.map((target) =>
        minimalSamplingRate(safe, target, RATE_RATIO)
      ),
    };
  });

  const limitCurve = FINE_SAFE_BYTES.map((bytes) => {
    const safe = bytes / DOCS_WORD_SIZE;
    return {
      safe,
      limits: TARGETS.map((target) => recommendLimit(safe, target, rate)),
    };
  });

  const interruptCurves = CHART_KS.map((k) => {
    const limit = k / rate;
    return {
      k,
      points: RATIOS.map((ratio) => ({
        ratio,
        probability: interruptProbability(ratio * limit, limit, rate),
      })),
    };
  });

  return {
    overshoot: computeOvershoot(),
    observed: computeObserved(),
    rate,
    detection,
    accuracy,
    byTarget,
    limitCurve,
    interruptCurves,
  };
}

function overshootRow(bytesPerSecond: number, ms: number): OvershootRow {
  return {
    bytesPerSecond,
    mean: meanOvershoot(bytesPerSecond, ms),
    bounds: TARGETS.map((t) => overshootBytes(t, bytesPerSecond, ms)),
  };
}

function computeOvershoot(): OvershootSeries[] {
  return OVERSHOOT_INTERVALS.map(({ ms, label }) => ({
    intervalMs: ms,
    label,
    table: OVERSHOOT_TABLE_RATES.map((r) => overshootRow(r, ms)),
    fine: OVERSHOOT_CHART_RATES.map((r) => overshootRow(r, ms)),
  }));
}

/** 1..n: the ranks do not depend on the values, only on their number. */
function ranksOf(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}

function computeObserved(): ObservedFigures {
  const confidence = DEFAULT_CONFIDENCE;
  const { runs, target } = OBSERVED_EXAMPLE;
  return {
    confidence,
    runsNeeded: RUNS_TARGETS.map((t) => ({
      target: t,
      runs: runsNeeded(t, confidence),
    })),
    ranks: RANK_RUNS.map((n) => ({
      runs: n,
      limits: RANK_TARGETS.map((t) => observedLimit(ranksOf(n), t, confidence)),
    })),
    example: {
      runs,
      target,
      limit: observedLimit(ranksOf(runs), target, confidence),
      supported: supportedTarget(runs, confidence),
    },
  };
}
