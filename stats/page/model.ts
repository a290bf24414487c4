// The calculator page's model, without the DOM: which commands and fields the
// page offers, and what a command answers for the values typed in. Every answer
// is the CLI's own: the options go through the CLI's parser and command code
// (stats/calc), so the page and `calc --json` cannot disagree.
// Types only from args.ts: the CLI's parser (node:util's parseArgs) does not
// run in a browser, and the page's fields need no parsing of an argv.
import type { OptionSpec, ParsedOptions } from "../calc/args.ts";
import {
  type Command,
  commandOptions,
  COMMANDS,
  readSettings,
} from "../calc/commands.ts";
import { UsageError } from "../calc/errors.ts";
import { formatNumber } from "../calc/numbers.ts";
import { formatSize, type Size, type WordSize } from "../calc/sizes.ts";

/** The commands the page offers, in the CLI's order (`table` is a text report, not a form). */
export const PAGE_COMMANDS: readonly string[] = COMMANDS.map((c) => c.name)
  .filter((name) => name !== "table");

/** Flags of the CLI that choose how it prints, not what it computes. */
const OUTPUT_FLAGS = new Set(["json", "help"]);

/** One input field: a CLI option, with a value or a flag. */
export interface Field {
  /** The option's name, also the query-string key, e.g. `safe` or `word-size`. */
  name: string;
  /** Its value placeholder in the CLI's help, e.g. `N`; undefined for a flag (a checkbox). */
  value?: string;
  /** The CLI's help line for it. */
  help: string;
  /** A value to start with on an empty page, or "" (the CLI's default applies). */
  example: string;
}

// Values a first-time visitor sees, taken from the examples in the CLI's help.
const EXAMPLES: Record<string, string> = {
  safe: "100KiB",
  target: "1e-9",
  limit: "1MiB",
  after: "100KiB",
};

function commandNamed(name: string): Command {
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined || !PAGE_COMMANDS.includes(name)) {
    throw UsageError.expected(
      "command",
      `one of ${PAGE_COMMANDS.join(", ")}`,
      name,
    );
  }
  return command;
}

/**
 * The input fields of a command: its own options first, then the common ones.
 *
 * @example
 * ```ts
 * import { fieldsOf } from "./model.ts";
 * fieldsOf("recommend").map((f) => f.name); // ["safe", "target", "rate", "interval", "word-size"]
 * ```
 */
export function fieldsOf(command: string): Field[] {
  return commandOptions(commandNamed(command))
    .filter((o: OptionSpec) => !OUTPUT_FLAGS.has(o.name))
    .map((o) => ({
      name: o.name,
      value: o.value,
      help: o.help,
      example: EXAMPLES[o.name] ?? "",
    }));
}

/** The one-line summary of a command, from the CLI's help. */
export function summaryOf(command: string): string {
  return commandNamed(command).summary;
}

/** One result of a command: a field of its `--json` object. */
export interface OutputField {
  /** The JSON field's name, e.g. `limit`. */
  name: string;
  /** The value as a plain number (bytes for sizes), a boolean, or null (an infinite error). */
  value: number | boolean | null;
  /** The value as people read it: sizes in words and binary bytes, as the CLI prints them. */
  text: string;
  /** Whether it is a size (its value is in bytes). */
  isSize: boolean;
}

/** A bad input: the option at fault and the CLI's message. */
export interface InputError {
  /** The field's name (`safe`), or `command` when no field is at fault. */
  field: string;
  /** The CLI's one-line message without its `calc: ` prefix, e.g. `--safe: expected a positive size: …`. */
  message: string;
}

/** What the chart shows: P_a(n) under the limit, or the detection curve. */
export interface ChartInput {
  /** `limit`: P_a(n) under the limit l; `detect`: chance of an interrupt past a global limit. */
  kind: "limit" | "detect";
  /** Sampling rate p per word. */
  rate: number;
  /** Bytes per word. */
  wordSize: WordSize;
  /** The limit l in words (kind `limit`). */
  limit?: number;
  /** Points to mark on the n axis, in words, with their labels. */
  marks: { words: number; label: string }[];
}

/** A computed answer. */
export interface Answer {
  /** The command. */
  command: string;
  /** The `--json` object, as `calc --json` prints it. */
  json: Record<string, unknown>;
  /** Its fields, for display. */
  outputs: OutputField[];
  /** The CLI's text output for the same input. */
  text: string;
  /** The command line that gives the same answer. */
  commandLine: string;
  /** What to chart. */
  chart: ChartInput;
}

function isSize(value: unknown): value is Size {
  return typeof value === "object" && value !== null && "words" in value &&
    "bytes" in value;
}

const DIGITS = 4; // as the CLI's text output

function outputField(
  name: string,
  value: unknown,
  wordSize: WordSize,
): OutputField | undefined {
  if (isSize(value)) {
    return {
      name,
      value: value.bytes,
      text: formatSize(value.words, wordSize, DIGITS),
      isSize: true,
    };
  }
  if (typeof value === "number") {
    const text = name === "target"
      ? String(value)
      : formatNumber(value, DIGITS);
    return { name, value, text, isSize: false };
  }
  if (typeof value === "boolean") {
    return { name, value, text: value ? "yes" : "no", isSize: false };
  }
  if (value === null) return { name, value, text: "∞", isSize: false };
  return undefined; // the command's name
}

/** A message on one line, as the CLI prints it on standard error. */
function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, " ");
}

/** Quotes a value for a POSIX shell when it needs it ("1.5 MiB"). */
function shellWord(text: string): string {
  return /^[A-Za-z0-9._+-]+$/.test(text)
    ? text
    : `'${text.replaceAll("'", `'\\''`)}'`;
}

function words(json: Record<string, unknown>, name: string): number {
  const value = json[name];
  return isSize(value) ? value.words : NaN;
}

function chartOf(command: string, json: Record<string, unknown>): ChartInput {
  const rate = json.rate as number;
  const wordSize = json.wordSize as WordSize;
  if (command === "detect") {
    return {
      kind: "detect",
      rate,
      wordSize,
      marks: [{ words: words(json, "allocations"), label: "n" }],
    };
  }
  const limit = words(json, "limit");
  const marks = command === "probability"
    ? [{ words: words(json, "after"), label: "n" }]
    : [{ words: words(json, "safe"), label: "N" }];
  return {
    kind: "limit",
    rate,
    wordSize,
    limit,
    marks: [...marks, { words: limit, label: "l" }],
  };
}

/** Whether `name` is a flag (an option without a value, e.g. `--pool`) of `command`. */
export function isFlag(command: string, name: string): boolean {
  const cmd = COMMANDS.find((c) => c.name === command);
  const spec = cmd && commandOptions(cmd).find((o) => o.name === name);
  return spec !== undefined && spec.value === undefined;
}

/** Texts that turn a flag on in the query string (`?pool`, `?pool=true`). */
const FLAG_ON = new Set(["", "true", "1"]);

/**
 * The options as the CLI's parser would give them to the command: each known
 * option once, flags without a value. Unknown names get the CLI's kind of message.
 */
function readOptions(
  cmd: Command,
  given: [string, string][],
): ParsedOptions {
  const specs = commandOptions(cmd).filter((o) => !OUTPUT_FLAGS.has(o.name));
  const options: ParsedOptions = { values: new Map(), flags: new Set() };
  for (const [name, text] of given) {
    const spec = specs.find((o) => o.name === name);
    if (spec === undefined) {
      throw new UsageError(
        `--${name}`,
        `unknown option for ${cmd.name}; options are ${
          specs.map((o) => `--${o.name}`).join(", ")
        }`,
      );
    }
    if (spec.value !== undefined) {
      options.values.set(name, [text]);
    } else if (FLAG_ON.has(text.trim())) {
      options.flags.add(name);
    } else if (text.trim() !== "false" && text.trim() !== "0") {
      throw new UsageError(`--${name}`, "is a flag and takes no value");
    }
  }
  return options;
}

/**
 * Runs `command` on the values typed in (option name to text; empty texts are
 * not given), as `calc <command> --<name>=<value>… --json` would.
 *
 * @returns the answer, or the input errors (the CLI stops at the first one)
 *
 * @example
 * ```ts
 * import { compute } from "./model.ts";
 * const result = compute("recommend", new Map([["safe", "100KiB"], ["target", "1e-9"]]));
 * if ("answer" in result) console.log(result.answer.json.limit);
 * ```
 */
export function compute(
  command: string,
  values: ReadonlyMap<string, string>,
): { answer: Answer } | { errors: InputError[] } {
  const given = [...values].filter(([name, text]) =>
    text.trim() !== "" || isFlag(command, name)
  );
  try {
    const cmd = commandNamed(command);
    const options = readOptions(cmd, given);
    const settings = readSettings(options);
    const output = cmd.run(options, settings);
    const outputs = Object.entries(output.json).flatMap(([name, value]) =>
      outputField(name, value, settings.wordSize) ?? []
    );
    const commandLine = [
      "deno task calc",
      command,
      ...given.flatMap(([name, text]) =>
        isFlag(command, name)
          ? (options.flags.has(name) ? [`--${name}`] : [])
          : [`--${name} ${shellWord(text.trim())}`]
      ),
    ].join(" ");
    return {
      answer: {
        command,
        json: output.json,
        outputs,
        text: output.text,
        commandLine,
        chart: chartOf(command, output.json),
      },
    };
  } catch (error) {
    if (error instanceof UsageError) {
      const field = error.option.replace(/^--/, "");
      return { errors: [{ field, message: oneLine(error.message) }] };
    }
    if (error instanceof RangeError || error instanceof TypeError) {
      // As the CLI: options are checked first, so this is a combination the core cannot answer.
      return {
        errors: [{
          field: "command",
          message: `cannot compute this: ${oneLine(error.message)}`,
        }],
      };
    }
    throw error;
  }
}
