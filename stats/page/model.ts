// The calculator page's model, without the DOM: which commands and fields the
// page offers, and what a command answers for the values typed in. Every answer
// is the CLI's own: the page hands the options to the CLI's command code
// (stats/calc/commands/), which reads and checks them, so the page and
// `calc --json` cannot disagree.
// The CLI's argv parser (node:util's parseArgs) does not run in a browser and
// the page's fields need no argv: runCommand takes the values by name.
import type { OptionSpec } from "../calc/args.ts";
import { type Command, commandOptions } from "../calc/command.ts";
import { type FormValues, runCommand } from "../calc/run_command.ts";
import { COMMANDS } from "../calc/commands.ts";
import { UsageError } from "../calc/errors.ts";
import { formatNumber } from "../calc/numbers.ts";
import { parseObservations } from "../calc/observations.ts";
import {
  formatBytes,
  formatSize,
  type Size,
  type WordSize,
} from "../calc/sizes.ts";

export type { WordSize };

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
  "alloc-rate": "100MiB/s",
  // Peak memory of 30 runs, in bytes: enough for t = 0.1, not for 1e-9.
  from: Array.from(
    { length: 30 },
    (_, i) => 40_000_000 + ((i * 7919) % 30) * 250_000,
  ).join("\n"),
};

/** The name under which pasted or dropped values reach a command that reads a FILE. */
export const PASTED = "values.txt";

/**
 * Whether a field takes a file's content (`observed --from FILE`): a text area on the page.
 *
 * @example
 * ```ts
 * import { fieldsOf, isFileField } from "./model.ts";
 * fieldsOf("observed").filter(isFileField).map((f) => f.name); // ["from"]
 * ```
 */
export function isFileField(field: Field): boolean {
  return field.value === "FILE";
}

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

/**
 * The one-line summary of a command, from the CLI's help.
 *
 * @example
 * ```ts
 * import { summaryOf } from "./model.ts";
 * summaryOf("detect");
 * ```
 */
export function summaryOf(command: string): string {
  return commandNamed(command).summary;
}

/** One result of a command: a field of its `--json` object. */
export interface OutputField {
  /** The JSON field's name, e.g. `limit`. */
  name: string;
  /** The value as a plain number (bytes for sizes), a boolean, a string, or null (as in the JSON). */
  value: number | boolean | string | null;
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

/** What the chart shows: P_a(n) under a limit, the detection curve, or the overshoot bound. */
export type ChartInput =
  | {
    /** P_a(n) under the limit l. */
    kind: "limit";
    /** Sampling rate p per word. */
    rate: number;
    /** Bytes per word. */
    wordSize: WordSize;
    /** The limit l in words. */
    limit: number;
    /** Points to mark on the n axis, in words, with their labels. */
    marks: { words: number; label: string }[];
  }
  | {
    /** The chance of an interrupt past a global limit. */
    kind: "detect";
    /** Sampling rate p per word. */
    rate: number;
    /** Bytes per word. */
    wordSize: WordSize;
    /** Points to mark on the n axis, in words, with their labels. */
    marks: { words: number; label: string }[];
  }
  | {
    /** The overshoot bound against the allocation rate. */
    kind: "overshoot";
    /** t. */
    target: number;
    /** The chosen allocation rate R, bytes per second. */
    bytesPerSecond: number;
    /** τ as `overshoot` takes it: milliseconds, or where it comes from. */
    interval: number | "engine" | "pool";
    /** τ in milliseconds. */
    ms: number;
  }
  | {
    /** The sorted observed values, with the limit marked. */
    kind: "observed";
    /** The values, in their own unit. */
    values: number[];
    /** The limit, when the runs are enough. */
    limit?: number;
  };

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

/** Where `overshoot`'s τ comes from, in words. */
const SOURCES: Record<string, string> = {
  engine: "the engine's default",
  pool: "the pool's watch interval",
  given: "as given",
};

/**
 * A `--json` field as one plain value (bytes for sizes, bytes per second for
 * rates, ms for intervals) and as text. Undefined for the command's name.
 */
function outputField(
  name: string,
  value: unknown,
  wordSize: WordSize,
): OutputField | undefined {
  if (name === "command") return undefined;
  if (isSize(value)) {
    return {
      name,
      value: value.bytes,
      text: formatSize(value.words, wordSize, DIGITS),
      isSize: true,
    };
  }
  if (typeof value === "object" && value !== null) {
    const record = value as Record<string, unknown>;
    if (typeof record.bytes === "number") {
      return {
        name,
        value: record.bytes,
        text: formatBytes(record.bytes, DIGITS),
        isSize: true,
      };
    }
    if (typeof record.bytesPerSecond === "number") {
      return {
        name,
        value: record.bytesPerSecond,
        text: `${formatBytes(record.bytesPerSecond, DIGITS)}/s`,
        isSize: true,
      };
    }
    if (typeof record.ms === "number") {
      const source = typeof record.source === "string"
        ? ` (${SOURCES[record.source] ?? record.source})`
        : "";
      return {
        name,
        value: record.ms,
        text: `${formatNumber(record.ms, DIGITS)} ms${source}`,
        isSize: false,
      };
    }
    return undefined;
  }
  if (typeof value === "number") {
    const text = name === "target" || name === "requiredConfidence"
      ? String(value)
      : formatNumber(value, DIGITS);
    return { name, value, text, isSize: false };
  }
  if (typeof value === "boolean") {
    return { name, value, text: value ? "yes" : "no", isSize: false };
  }
  if (typeof value === "string") {
    return { name, value, text: value, isSize: false };
  }
  if (value === null) {
    // JSON's null: an infinite error (N = 0), or a property that does not apply.
    return {
      name,
      value,
      text: name === "error" ? "∞" : "none",
      isSize: false,
    };
  }
  return undefined;
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

function chartOf(
  command: string,
  json: Record<string, unknown>,
  pasted: string,
): ChartInput {
  const rate = json.rate as number;
  const wordSize = json.wordSize as WordSize;
  if (command === "overshoot") {
    const { ms, source } = json.samplingInterval as {
      ms: number;
      source: string;
    };
    return {
      kind: "overshoot",
      target: json.target as number,
      bytesPerSecond: (json.allocRate as { bytesPerSecond: number })
        .bytesPerSecond,
      interval: source === "engine" || source === "pool" ? source : ms,
      ms,
    };
  }
  if (command === "observed") {
    return {
      kind: "observed",
      // Read again as the command read them (they passed its checks).
      values: parseObservations(
        pasted,
        PASTED,
        typeof json.field === "string" ? json.field : undefined,
      ),
      limit: json.enough === true ? json.limit as number : undefined,
    };
  }
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

/** Whether `name` is an option of `command` that reads a file (`observed --from`). */
function isFileOption(command: string, name: string): boolean {
  const cmd = COMMANDS.find((c) => c.name === command);
  return cmd !== undefined &&
    commandOptions(cmd).some((o) => o.name === name && o.value === "FILE");
}

/**
 * Whether `name` is a flag (an option without a value, e.g. `--pool`) of `command`.
 *
 * @example
 * ```ts
 * import { isFlag } from "./model.ts";
 * isFlag("overshoot", "pool"); // true
 * ```
 */
export function isFlag(command: string, name: string): boolean {
  const cmd = COMMANDS.find((c) => c.name === command);
  const spec = cmd && commandOptions(cmd).find((o) => o.name === name);
  return spec !== undefined && spec.value === undefined;
}

/** Texts that turn a flag on in the query string (`?pool`, `?pool=true`). */
const FLAG_ON = new Set(["", "true", "1"]);

/**
 * The values as runCommand takes them: each known option once, `true` for a
 * flag that is on. Unknown names get the CLI's kind of message, since a typo
 * in a link must not fall back silently to a default.
 */
function readOptions(
  cmd: Command,
  given: [string, string][],
): FormValues {
  const specs = commandOptions(cmd).filter((o) => !OUTPUT_FLAGS.has(o.name));
  const options: Record<string, string | true> = {};
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
    if (spec.value === "FILE") {
      options[name] = PASTED; // its content is runCommand's input
    } else if (spec.value !== undefined) {
      options[name] = text;
    } else if (FLAG_ON.has(text.trim())) {
      options[name] = true;
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
  const files = new Map(
    given.filter(([name]) => isFileOption(command, name)),
  );
  const pasted = [...files.values()][0] ?? "";
  try {
    const cmd = commandNamed(command);
    const options = readOptions(cmd, given);
    const output = runCommand(cmd.name, options, pasted);
    const json = output.json as Record<string, unknown>;
    const wordSize = (json.wordSize ?? 8) as WordSize;
    const outputs = Object.entries(json).flatMap(([name, value]) =>
      outputField(name, value, wordSize) ?? []
    );
    const commandLine = [
      "npx memlimits",
      command,
      ...given.flatMap(([name, text]) =>
        isFlag(command, name)
          ? (options[name] === true ? [`--${name}`] : [])
          : isFileOption(command, name)
          ? [`--${name} ${PASTED}`]
          : [`--${name} ${shellWord(text.trim())}`]
      ),
    ].join(" ");
    return {
      answer: {
        command,
        json,
        outputs,
        text: output.text,
        commandLine,
        chart: chartOf(command, json, pasted),
      },
    };
  } catch (error) {
    if (error instanceof UsageError) {
      // A bad line of the pasted values ("pasted:3") belongs to the field they were pasted in.
      const field = error.option.startsWith(`${PASTED}:`)
        ? [...files.keys()][0] ?? "command"
        : error.option.replace(/^--/, "");
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
