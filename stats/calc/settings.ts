// memprof's sampling settings (the rate p and the word size), read from the
// common options, and how every memprof command shows them.
import { DEFAULT_SAMPLING_RATE } from "../mod.ts";
import type { ParsedOptions } from "./args.ts";
import { UsageError } from "./errors.ts";
import { formatNumber, parseNumber } from "./numbers.ts";
import {
  DEFAULT_WORD_SIZE,
  formatSize,
  parseSize,
  type Size,
  size,
  SIZE_FORMS,
  type WordSize,
} from "./sizes.ts";
import { DIGITS } from "./text.ts";

/** Sampling rate and word size, from the common options. */
export interface Settings {
  /** Sampling rate p, samples per word. */
  rate: number;
  /** Bytes per word. */
  wordSize: WordSize;
}

/** The settings as they appear in every memprof command's JSON answer. */
export interface SettingsJson {
  /** Sampling rate p, samples per word. */
  rate: number;
  /** The mean sampling interval S = 1/p. */
  interval: Size;
  /** Bytes per word. */
  wordSize: WordSize;
}

/**
 * Reads `--word-size` (8 or 4), default 8.
 *
 * @example
 * ```ts
 * import { readWordSize } from "./settings.ts";
 * readWordSize({ values: new Map([["word-size", ["4"]]]), flags: new Set() }); // 4
 * ```
 */
export function readWordSize(options: ParsedOptions): WordSize {
  const text = options.values.get("word-size")?.[0];
  if (text === undefined) return DEFAULT_WORD_SIZE;
  if (text.trim() !== "8" && text.trim() !== "4") {
    throw UsageError.expected("--word-size", "8 (64-bit) or 4 (32-bit)", text);
  }
  return Number(text) as WordSize;
}

/**
 * Reads the common options: the word size first (sizes depend on it), then the
 * sampling rate from `--rate` or `--interval` (not both).
 *
 * @example
 * ```ts
 * import { readSettings } from "./settings.ts";
 * readSettings({ values: new Map([["interval", ["78.125KiB"]]]), flags: new Set() }); // { rate: 1e-4, wordSize: 8 }
 * ```
 */
export function readSettings(options: ParsedOptions): Settings {
  const wordSize = readWordSize(options);
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

/**
 * The settings as they appear in every memprof command's JSON answer.
 *
 * @example
 * ```ts
 * import { settingsJson } from "./settings.ts";
 * settingsJson({ rate: 1e-4, wordSize: 8 }); // { rate: 1e-4, interval: { words: 10000, bytes: 80000 }, wordSize: 8 }
 * ```
 */
export function settingsJson(settings: Settings): SettingsJson {
  return {
    rate: settings.rate,
    interval: size(1 / settings.rate, settings.wordSize),
    wordSize: settings.wordSize,
  };
}

/**
 * The settings as the last line of every memprof command's text answer.
 *
 * @example
 * ```ts
 * import { settingsLine } from "./settings.ts";
 * settingsLine({ rate: 1e-4, wordSize: 8 });
 * ```
 */
export function settingsLine(settings: Settings): string {
  return `(sampling rate p = ${
    formatNumber(settings.rate, DIGITS)
  } per word, S = 1/p = ${
    formatSize(1 / settings.rate, settings.wordSize, DIGITS)
  }; ${settings.wordSize * 8}-bit words of ${settings.wordSize} bytes)`;
}
