// How memprof's commands with fixed options run: the sampling settings first
// (sizes depend on the word size), then each required option in the order
// given, so the first missing or bad one is the one reported.
import type { ParsedOptions } from "./args.ts";
import type { Command, Output } from "./command.ts";
import { parseTarget, positiveSize, required } from "./options.ts";
import { readSettings, type Settings } from "./settings.ts";
import { parseSize, type WordSize } from "./sizes.ts";

/** One required option of a memprof command: its placeholder in messages and its reader. */
export interface RequiredInput {
  /** What the option takes, for the message when it is missing, e.g. `N (a size)`. */
  what: string;
  /** Its value as a number, or a UsageError naming `option` (e.g. `--safe`). */
  read(option: string, text: string, wordSize: WordSize): number;
}

/**
 * A size in words that must be positive, e.g. `--limit l`.
 *
 * @example
 * ```ts
 * import { positiveSizeInput } from "./memprof_run.ts";
 * positiveSizeInput("l").read("--limit", "1MiB", 8); // 131072
 * ```
 */
export function positiveSizeInput(placeholder: string): RequiredInput {
  return { what: `${placeholder} (a size)`, read: positiveSize };
}

/**
 * A size in words, zero allowed, e.g. `--after n`.
 *
 * @example
 * ```ts
 * import { sizeInput } from "./memprof_run.ts";
 * sizeInput("n").read("--after", "0", 8); // 0
 * ```
 */
export function sizeInput(placeholder: string): RequiredInput {
  return { what: `${placeholder} (a size)`, read: parseSize };
}

/**
 * `--target t`, a probability in (0, 1).
 *
 * @example
 * ```ts
 * import { TARGET_INPUT } from "./memprof_run.ts";
 * TARGET_INPUT.read("--target", "1e-9", 8); // 1e-9
 * ```
 */
export const TARGET_INPUT: RequiredInput = {
  what: "t",
  read: (option, text) => parseTarget(text, option),
};

/**
 * The `run` of a memprof command: reads the settings and the required options
 * `inputs` (keyed by option name, which is also their name in `compute`'s
 * input), computes the result and formats it; `--json` prints the result.
 *
 * @param command the command's name, for the message when an option is missing
 * @example
 * ```ts
 * import { memprofRun, positiveSizeInput, TARGET_INPUT } from "./memprof_run.ts";
 * const run = memprofRun(
 *   "double",
 *   { limit: positiveSizeInput("l"), target: TARGET_INPUT },
 *   ({ limit, target }) => ({ twice: 2 * limit, target }),
 *   (result) => `${result.twice}`,
 * );
 * run({ values: new Map([["limit", ["2w"]], ["target", ["0.5"]]]), flags: new Set() }, {
 *   readText: () => "",
 * }).text; // "4"
 * ```
 */
export function memprofRun<K extends string, R extends object>(
  command: string,
  inputs: Readonly<Record<K, RequiredInput>>,
  compute: (input: Settings & Record<K, number>) => R,
  format: (result: R) => string,
): Command["run"] {
  const entries = Object.entries<RequiredInput>(inputs);
  return (options: ParsedOptions): Output => {
    const settings = readSettings(options);
    const input: Record<string, number> = { ...settings };
    for (const [name, { what, read }] of entries) {
      const text = required(options, name, what, command);
      input[name] = read(`--${name}`, text, settings.wordSize);
    }
    const result = compute(input as Settings & Record<K, number>);
    return { json: result, text: format(result) };
  };
}
