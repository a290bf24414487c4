/**
 * Bad command-line input for the calculator.
 *
 * The message is one line that names the option and says what it accepts; the
 * command-line entry prints it on stderr and exits with status 2.
 *
 * @example
 * ```ts
 * import { UsageError } from "./errors.ts";
 * throw UsageError.expected("--target", "a probability strictly between 0 and 1", "2");
 * ```
 */
export class UsageError extends RangeError {
  /** The option (or argument) that was wrong, as typed on the command line, e.g. `--safe`. */
  readonly option: string;

  /**
   * A usage error for `option`; the message reads "<option>: <detail>".
   *
   * @param option the option or argument at fault, e.g. `--safe` or `command`
   * @param detail what is wrong, in words, without the option name
   */
  constructor(option: string, detail: string) {
    super(`${option}: ${detail}`);
    this.name = "UsageError";
    this.option = option;
  }

  /** The usual form: "--safe: expected <accepts>, got "<text>"". */
  static expected(option: string, accepts: string, got?: string): UsageError {
    return new UsageError(
      option,
      `expected ${accepts}${
        got === undefined ? "" : `, got ${JSON.stringify(got)}`
      }`,
    );
  }
}

/** Exit status for bad input, as for most command-line tools. */
export const USAGE_EXIT_STATUS = 2;
