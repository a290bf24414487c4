/**
 * The limit-tuning calculator's command-line entry:
 * `deno task calc <command> ...` or `npm run calc -- <command> ...`.
 *
 * @module
 */
import process from "node:process";
import { type OptionSpec, parseOptions } from "./args.ts";
import {
  type Command,
  commandOptions,
  COMMANDS,
  commonOptions,
  readSettings,
} from "./commands.ts";
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
  "Usage: deno task calc <command> [options]",
  "       npm run calc -- <command> [options]",
  "       npx memlimits <command> [options]   (installed; bunx memlimits on Bun,",
  "                                            deno run jsr:@memlimits/memlimits/calc)",
].join("\n");

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

function toolHelp(): string {
  const left = COMMANDS.map((c) => `${c.name} ${c.synopsis}`);
  const width = Math.max(...left.map((text) => text.length));
  return [
    "memlimits calc: choose allocation limits from the statistics of sampled limits.",
    "",
    USAGE,
    "",
    "Commands:",
    ...COMMANDS.map((c, i) => `  ${left[i].padEnd(width)}  ${c.summary}`),
    "",
    "Common options:",
    optionHelp(commonOptions(true)),
    "",
    SIZES_HELP,
    "Bad input exits with status 2 and one line on standard error.",
    "Run `<command> --help` for a command's options.",
  ].join("\n");
}

function commandHelp(command: Command): string {
  return [
    `memlimits calc ${command.name}: ${command.summary}.`,
    "",
    `Usage: deno task calc ${command.name} ${command.synopsis} [options]`,
    "",
    "Options:",
    optionHelp(commandOptions(command)),
    "",
    SIZES_HELP,
  ].join("\n");
}

/**
 * Runs the calculator on `argv` (the arguments after the program name) and
 * returns what it prints, without printing or exiting.
 *
 * @example
 * ```ts
 * import { runCli } from "./main.ts";
 * const { status, stdout } = runCli(["detect", "--target", "1e-9", "--json"]);
 * ```
 */
export function runCli(argv: readonly string[]): CliResult {
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
    const output = command.run(options, readSettings(options));
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

if (import.meta.main) {
  const result = runCli(process.argv.slice(2));
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  process.exitCode = result.status;
}
