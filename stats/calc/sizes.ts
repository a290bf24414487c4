// Sizes on the command line and in the docs. The statistics core counts in
// words (memprof's unit, and the unit of the default rate 1e-4 per word); users
// think in bytes. This file converts between the two for a given word size.
//
// A small strict parser of our own rather than mathjs units: the calculator
// needs nine fixed units and one conversion factor, and it must reject what
// mathjs would accept (other units, "KB" for "kB", expressions, negative sizes)
// with a one-line message naming the option.
import { MAX_MAGNITUDE } from "../validate.ts";
import { UsageError } from "./errors.ts";
import { formatNumber, splitNumber } from "./numbers.ts";

/** Bytes per word: 8 on 64-bit, 4 on 32-bit. */
export type WordSize = 8 | 4;

/** The default word size: 64-bit. */
export const DEFAULT_WORD_SIZE: WordSize = 8;

/** Size units accepted on the command line, case as written, with their size in words or bytes. */
const UNITS: Record<string, { words: number } | { bytes: number }> = {
  w: { words: 1 },
  kw: { words: 1e3 },
  Mw: { words: 1e6 },
  B: { bytes: 1 },
  kB: { bytes: 1e3 },
  MB: { bytes: 1e6 },
  KiB: { bytes: 1024 },
  MiB: { bytes: 1024 ** 2 },
  GiB: { bytes: 1024 ** 3 },
};

/** The accepted units, for help texts and error messages. */
export const SIZE_UNITS: readonly string[] = Object.keys(UNITS);

/** How a size is written, for error messages: "a number of words, or …". */
export const SIZE_FORMS =
  `a number of words, or a number with one of the units ${
    SIZE_UNITS.join(", ")
  } (kw = 1000 words, kB = 1000 bytes)`;

/** What a size option accepts, in words, for error messages. */
export const SIZE_ACCEPTS = `a non-negative size: ${SIZE_FORMS}`;

/** What a size option that must be positive accepts, for error messages. */
export const POSITIVE_SIZE_ACCEPTS = `a positive size: ${SIZE_FORMS}`;

/**
 * Parses a size such as `2e6`, `100KiB`, `1.5 MiB` or `20kw` into words.
 * Plain numbers are words; bytes are divided by the word size.
 *
 * @param option the option being parsed, named in the error message
 * @param text the text as given
 * @param wordSize bytes per word
 * @throws UsageError for an unknown unit, a negative, non-numeric or infinite
 *   size, or one above 1e50 words (the statistics core's range)
 *
 * @example
 * ```ts
 * import { parseSize } from "./sizes.ts";
 * parseSize("--safe", "100KiB", 8); // 12800 (words)
 * ```
 */
export function parseSize(
  option: string,
  text: string,
  wordSize: WordSize,
): number {
  const parsed = splitNumber(text);
  if (parsed === undefined || !Number.isFinite(parsed.value)) {
    throw UsageError.expected(option, SIZE_ACCEPTS, text);
  }
  const unit = parsed.rest === "" ? "w" : parsed.rest;
  const factor = Object.hasOwn(UNITS, unit) ? UNITS[unit] : undefined;
  if (factor === undefined) {
    throw UsageError.expected(
      option,
      `a size with one of the units ${
        SIZE_UNITS.join(", ")
      } (or none, for words)`,
      text,
    );
  }
  if (parsed.value < 0) throw UsageError.expected(option, SIZE_ACCEPTS, text);
  const words = "words" in factor
    ? parsed.value * factor.words
    : (parsed.value * factor.bytes) / wordSize;
  if (!Number.isFinite(words)) {
    throw UsageError.expected(option, SIZE_ACCEPTS, text);
  }
  if (words > MAX_MAGNITUDE) { // the statistics core's largest size
    throw UsageError.expected(option, "a size of at most 1e50 words", text);
  }
  return words;
}

/** A size in both units, as the JSON output carries it. */
export interface Size {
  /** The size in words. */
  words: number;
  /** The same size in bytes (words times the word size). */
  bytes: number;
}

/**
 * A size in words and in bytes.
 *
 * @example
 * ```ts
 * import { size } from "./sizes.ts";
 * size(1e4, 8); // { words: 10000, bytes: 80000 }
 * ```
 */
export function size(words: number, wordSize: WordSize): Size {
  return { words, bytes: words * wordSize };
}

/**
 * Formats words with a decimal unit (w, kw, Mw, Gw) chosen to keep the number short.
 *
 * @example
 * ```ts
 * import { formatWords } from "./sizes.ts";
 * formatWords(20480); // "20.5 kw"
 * ```
 */
export function formatWords(words: number, digits = 3): string {
  const units: [string, number][] = [["Gw", 1e9], ["Mw", 1e6], ["kw", 1e3]];
  for (const [unit, scale] of units) {
    if (words >= scale) return `${formatNumber(words / scale, digits)} ${unit}`;
  }
  return `${formatNumber(words, digits)} w`;
}

/**
 * Formats words as kilowords, always in that unit (for table columns).
 *
 * @example
 * ```ts
 * import { formatKilowords } from "./sizes.ts";
 * formatKilowords(20480); // "20.5"
 * ```
 */
export function formatKilowords(words: number, digits = 3): string {
  return formatNumber(words / 1e3, digits);
}

/**
 * Formats bytes with a binary unit (B, KiB, MiB, GiB, TiB, PiB).
 *
 * @example
 * ```ts
 * import { formatBytes } from "./sizes.ts";
 * formatBytes(1657792); // "1.58 MiB"
 * ```
 */
export function formatBytes(bytes: number, digits = 3): string {
  const units = ["PiB", "TiB", "GiB", "MiB", "KiB"];
  for (let i = 0; i < units.length; i++) {
    const scale = 1024 ** (units.length - i);
    if (bytes >= scale) {
      return `${formatNumber(bytes / scale, digits)} ${units[i]}`;
    }
  }
  return `${formatNumber(bytes, digits)} B`;
}

/**
 * Formats a size given in words as words and bytes: "20.5 kw (160 KiB)".
 *
 * @example
 * ```ts
 * import { formatSize } from "./sizes.ts";
 * formatSize(1e4, 8); // "10 kw (78.1 KiB)"
 * ```
 */
export function formatSize(
  words: number,
  wordSize: WordSize,
  digits = 3,
): string {
  return `${formatWords(words, digits)} (${
    formatBytes(words * wordSize, digits)
  })`;
}

/**
 * What `--alloc-rate` accepts, for error messages.
 *
 * @example
 * ```ts
 * import { ALLOCATION_RATE_ACCEPTS } from "./sizes.ts";
 * console.log(`expected ${ALLOCATION_RATE_ACCEPTS}`);
 * ```
 */
export const ALLOCATION_RATE_ACCEPTS =
  `an allocation rate: a size with a unit, per second, e.g. 100MiB/s (units ${
    SIZE_UNITS.join(", ")
  })`;

/**
 * Parses an allocation rate such as `100MiB/s`, `1.5 GiB/s` or `20kw/s` into
 * bytes per second. The unit is required (a bare `1e8/s` is refused: bytes or
 * words?); words convert to bytes by the word size.
 *
 * @param option the option being parsed, named in the error message
 * @param text the text as given
 * @param wordSize bytes per word, for word units
 * @throws UsageError for a missing `/s` or unit, or a size that {@linkcode parseSize} refuses
 *
 * @example
 * ```ts
 * import { parseAllocationRate } from "./sizes.ts";
 * parseAllocationRate("--alloc-rate", "100MiB/s", 8); // 104857600
 * ```
 */
export function parseAllocationRate(
  option: string,
  text: string,
  wordSize: WordSize,
): number {
  const match = /^(.*?)\s*\/\s*s\s*$/s.exec(text);
  const amount = match?.[1];
  const parsed = amount === undefined ? undefined : splitNumber(amount);
  if (amount === undefined || parsed === undefined || parsed.rest === "") {
    throw UsageError.expected(option, ALLOCATION_RATE_ACCEPTS, text);
  }
  return parseSize(option, amount, wordSize) * wordSize;
}
