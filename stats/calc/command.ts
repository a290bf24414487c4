// What a calculator command is, and the options every command takes.
import { DEFAULT_SAMPLING_RATE } from "../mod.ts";
import type { OptionSpec, ParsedOptions } from "./args.ts";

/** What a command prints: a JSON object for `--json`, otherwise text. */
export interface Output {
  /** The object printed with `--json`: the command's result. */
  json: object;
  /** The text printed otherwise. */
  text: string;
}

/** What a command may read besides its options: files, for `observed`. */
export interface Io {
  /** The text of the file at `path`, or of standard input for `-`. */
  readText(path: string): string;
}

/** Which limits a command is about, for grouping in the help. */
export type Model = "engine" | "observed" | "memprof";

/** One calculator command. */
export interface Command {
  /** Its name on the command line. */
  name: string;
  /** Synopsis of its own options, e.g. `--safe N --target t`. */
  synopsis: string;
  /** One line saying what it computes. */
  summary: string;
  /** The model it answers for. */
  model: Model;
  /** A paragraph for its `--help` that says what it computes and how (optional). */
  details?: string;
  /** Its own options (the common ones are added by {@linkcode commandOptions}). */
  options: OptionSpec[];
  /** Whether `--rate` and `--interval` apply (memprof's sampling rate). */
  takesRate: boolean;
  /** Whether `--word-size` applies (the command reads sizes that may be in words). */
  takesWordSize: boolean;
  /** Reads the options (and files through `io`), computes and formats the answer. */
  run(options: ParsedOptions, io: Io): Output;
}

/**
 * Options every command takes (`--rate`, `--interval` and `--word-size` only where they apply).
 *
 * @example
 * ```ts
 * import { commonOptions } from "./command.ts";
 * commonOptions(true).map((o) => o.name); // ["rate", "interval", "word-size", "json", "help"]
 * ```
 */
export function commonOptions(
  takesRate: boolean,
  takesWordSize = true,
): OptionSpec[] {
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
    ...(takesWordSize
      ? [{
        name: "word-size",
        value: "8|4",
        help: `bytes per word: 8 on 64-bit (default), 4 on 32-bit`,
      }]
      : []),
    { name: "json", help: "print one JSON object instead of text" },
    { name: "help", help: "show this help" },
  ];
}

/**
 * All options of a command: its own and the common ones that apply.
 *
 * @example
 * ```ts
 * import { commandOptions } from "./command.ts";
 * import { COMMANDS } from "./commands.ts";
 * commandOptions(COMMANDS[0]).map((o) => o.name);
 * ```
 */
export function commandOptions(command: Command): OptionSpec[] {
  return [
    ...command.options,
    ...commonOptions(command.takesRate, command.takesWordSize),
  ];
}
