// Options shared by several commands, and the readers of their values.
import type { OptionSpec, ParsedOptions } from "./args.ts";
import { UsageError } from "./errors.ts";
import { parseNumber } from "./numbers.ts";
import { parseSize, POSITIVE_SIZE_ACCEPTS, type WordSize } from "./sizes.ts";

/**
 * What `--target` accepts, for error messages.
 *
 * @example
 * ```ts
 * import { TARGET_ACCEPTS } from "./options.ts";
 * console.log(`expected ${TARGET_ACCEPTS}`);
 * ```
 */
export const TARGET_ACCEPTS =
  "a probability strictly between 0 and 1, e.g. 1e-9";

/** `--target t` as memprof's commands read it: the chance of an early interrupt. */
export const targetOption: OptionSpec = {
  name: "target",
  value: "t",
  help:
    "target probability t in (0, 1): the accepted chance of an interrupt before N (e.g. 1e-9)",
};

/** `--safe N`. */
export const safeOption: OptionSpec = {
  name: "safe",
  value: "N",
  help: "allocations that must stay safe, a size (e.g. 100KiB)",
};

/** `--limit l`. */
export const limitOption: OptionSpec = {
  name: "limit",
  value: "l",
  help: "the allocation limit, a size (e.g. 1MiB)",
};

/**
 * The single value of a required option, or a UsageError naming it.
 *
 * @example
 * ```ts
 * import { required } from "./options.ts";
 * required({ values: new Map([["target", ["1e-9"]]]), flags: new Set() }, "target", "t", "detect"); // "1e-9"
 * ```
 */
export function required(
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

/**
 * A probability in (0, 1) given to `option` (default `--target`).
 *
 * @example
 * ```ts
 * import { parseTarget } from "./options.ts";
 * parseTarget("4e-15"); // 4e-15
 * ```
 */
export function parseTarget(text: string, option = "--target"): number {
  return parseNumber(option, text, (t) => t > 0 && t < 1, TARGET_ACCEPTS);
}

/**
 * A size that must be positive (limits and safe allocations of zero have no answer), in words.
 *
 * @example
 * ```ts
 * import { positiveSize } from "./options.ts";
 * positiveSize("--limit", "1MiB", 8); // 131072
 * ```
 */
export function positiveSize(
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
