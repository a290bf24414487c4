/**
 * The limit calculator's command-line entry. Installed, it is the package's
 * `memlimits` command (`npx memlimits <command> ...`, `bunx memlimits ...`);
 * in a checkout, `deno task calc <command> ...` or `npm run calc -- <command> ...`.
 * Uses only `node:` modules, so that it runs on Deno, Bun and Node alike.
 *
 * @module
 */
import { readFileSync, realpathSync } from "node:fs";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { type OptionSpec, parseOptions } from "./args.ts";
import {
  type Command,
  commandOptions,
  commonOptions,
  type Io,
  type Model,
} from "./command.ts";
import { COMMANDS } from "./commands.ts";
import { USAGE_EXIT_STATUS, UsageError } from "./errors.ts";
import { SIZE_UNITS } from "./sizes.ts";

/** What a run of the calculator printed and its exit status. */
export interface CliResult {
  /** Exit status: 0, or 2 for bad input. */
  status: number;
  /** Text for standard output (empty or ending in a newline). */
  stdout: string;
  /** Text for standard error: one line on bad input. */
  stderr: string;
}

const USAGE = [
  "Usage: npx memlimits <command> [options]",
  "       bunx memlimits <command> [options]",
  "       deno run jsr:@memlimits/memlimits/calc <command> [options]",
  "  (in a checkout of memlimits: deno task calc <command>, or npm run calc -- <command>)",
].join("\n");

/** How `memlimits` is run, for a command's help (its usage line names `memlimits`). */
const COMMAND_FORMS =
  "  (npx memlimits or bunx memlimits; deno run jsr:@memlimits/memlimits/calc;\n" +
  "   in a checkout of memlimits deno task calc or npm run calc --)";

function optionHelp(options: readonly OptionSpec[]): string {
  const left = options.map((o) =>
    `--${o.name}${o.value === undefined ? "" : ` ${o.value}`}`
  );
  const width = Math.max(...left.map((text) => text.length));
  return options.map((o, i) => `  ${left[i].padEnd(width)}  ${o.help}`).join(
    "\n",
  );
}

const SIZES_HELP = `Sizes: plain numbers are words; units ${
  SIZE_UNITS.join(", ")
}, case as written
(kw and Mw are 1000 and 10^6 words, kB and MB decimal bytes, KiB, MiB, GiB binary bytes);
bytes convert to words by the word size. Examples: 100KiB, "1.5 MiB", 2e6, 20kw.`;

const RATES_HELP =
  `Allocation rates: a size with a unit, per second: 100MiB/s, "1.5 GiB/s", 20kw/s.`;

const GROUPS: [Model, string][] = [
  [
    "engine",
    "memlimits' own limits: exact meters read at Poisson instants; never early, overshoot random:",
  ],
  ["observed", "Limits from observed runs (distribution-free):"],
  [
    "memprof",
    "memprof's sampled allocation limits (OCaml's memprof-limits, sampling rate p per word):",
  ],
];

function toolHelp(): string {
  return [
    "memlimits calc: choose limits for memlimits' tasks. memlimits reads its meters at random",
    "instants: a limit never fires before it is reached, and what is random is how far past it a",
    "task gets (overshoot). On Deno and Node >= 25 an allocation limit reads V8's exact counter of",
    "heap allocations (ArrayBuffer contents are outside it and counted as a lower bound); on Bun",
    "and older Node allocation limits are refused. The pool's memory, CPU and time limits work on",
    "every runtime.",
    "To choose a limit, measure what tasks use (observed), then leave headroom for the overshoot.",
    "The memprof commands answer for OCaml's memprof-limits, whose allocation limits sample the",
    "allocated words.",
    "",
    USAGE,
    "",
    ...GROUPS.flatMap(([model, title]) => [
      title,
      ...COMMANDS.filter((c) => c.model === model).flatMap((c) => [
        `  ${c.name} ${c.synopsis}`,
        `      ${c.summary}`,
      ]),
      "",
    ]),
    "Common options (--rate and --interval for memprof's commands, --word-size where sizes are read):",
    optionHelp(commonOptions(true)),
    "",
    SIZES_HELP,
    RATES_HELP,
    "Bad input exits with status 2 and one line on standard error.",
    "Run `<command> --help` for a command's options.",
  ].join("\n");
}

function commandHelp(command: Command): string {
  return [
    `memlimits calc ${command.name}: ${command.summary}.`,
    "",
    ...(command.details === undefined ? [] : [command.details, ""]),
    `Usage: memlimits ${command.name} ${command.synopsis} [options]`,
    COMMAND_FORMS,
    "",
    "Options:",
    optionHelp(commandOptions(command)),
    ...(command.takesWordSize ? ["", SIZES_HELP] : []),
    ...(command.name === "overshoot" ? [RATES_HELP] : []),
  ].join("\n");
}

/** Files from the file system, `-` from standard input (read to its end). */
const FILE_IO: Io = {
  readText(path) {
    try {
      return readFileSync(path === "-" ? 0 : path, "utf8");
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new UsageError(
        "--from",
        `cannot read ${
          path === "-" ? "standard input" : JSON.stringify(path)
        }: ${reason}`,
      );
    }
  },
};

/**
 * Runs the calculator on `argv` (the arguments after the program name) and
 * returns what it prints, without printing or exiting.
 *
 * @param argv the command and its options
 * @param io where `observed --from` reads from (default: files and standard input)
 * @example
 * ```ts
 * import { runCli } from "./main.ts";
 * const { status, stdout } = runCli(["detect", "--target", "1e-9", "--json"]);
 * ```
 */
export function runCli(argv: readonly string[], io: Io = FILE_IO): CliResult {
  try {
    const [name, ...rest] = argv;
    const isHelp = name === "--help" || name === "-h" || name === "help";
    if (name === undefined || (name.startsWith("-") && !isHelp)) {
      throw new UsageError(
        "command",
        `missing; give one of ${
          COMMANDS.map((c) => c.name).join(", ")
        } before the options`,
      );
    }
    if (isHelp) {
      return { status: 0, stdout: `${toolHelp()}\n`, stderr: "" };
    }
    const command = COMMANDS.find((c) => c.name === name);
    if (command === undefined) {
      throw UsageError.expected(
        "command",
        `one of ${COMMANDS.map((c) => c.name).join(", ")}`,
        name,
      );
    }
    const options = parseOptions(rest, commandOptions(command), command.name);
    if (options.flags.has("help")) {
      return { status: 0, stdout: `${commandHelp(command)}\n`, stderr: "" };
    }
    const output = command.run(options, io);
    const stdout = options.flags.has("json")
      ? JSON.stringify(output.json)
      : output.text;
    return { status: 0, stdout: `${stdout}\n`, stderr: "" };
  } catch (error) {
    // The core's RangeErrors name its parameter and range; options are checked
    // first, so reaching one means a combination the core cannot answer.
    if (error instanceof RangeError || error instanceof TypeError) {
      const message = error instanceof UsageError
        ? error.message
        : `cannot compute this: ${error.message}`;
      return {
        status: USAGE_EXIT_STATUS,
        stdout: "",
        stderr: `calc: ${message.replace(/\s*\n\s*/g, " ")}\n`,
      };
    }
    throw error;
  }
}

/**
 * Runs the calculator on the process's arguments, prints its output and sets
 * the exit status: what a `bin` script calls.
 *
 * @example
 * ```ts
 * import { main } from "./main.ts";
 * main(["overshoot", "--alloc-rate", "100MiB/s", "--target", "1e-9"]);
 * ```
 */
export function main(argv: readonly string[] = process.argv.slice(2)): void {
  const result = runCli(argv);
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  process.exitCode = result.status;
}

/** Whether this file is the program: `import.meta.main`, or on Node 20 (which lacks it) argv[1]. */
function isProgram(): boolean {
  const flag = (import.meta as { main?: boolean }).main;
  if (flag !== undefined) return flag;
  try {
    const entry = process.argv[1];
    return entry !== undefined &&
      realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isProgram()) main();
