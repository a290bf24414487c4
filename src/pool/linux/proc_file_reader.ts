/**
 * One /proc file read again and again through one open file: `pread` at
 * offset 0 into a buffer made once, about 1.5 µs a reading against about
 * 10 µs for opening the file each time. The watchdog thread reads this way
 * every few milliseconds, the host's main thread at each settlement, so a
 * reading allocates nothing unless its text is asked for.
 */
import { closeSync, openSync, readSync } from "node:fs";
import { grantedWithoutAsking } from "../../runtime.ts";

/**
 * Whether Deno lets this process read `path` without asking: a read it would
 * ask for shows a prompt on a terminal, for every worker. (Even granted,
 * Deno opens /proc files only when every permission is granted in full.)
 * Elsewhere, true.
 *
 * @example
 * ```ts
 * import { readGranted } from "./proc_file_reader.ts";
 * readGranted("/proc/self/statm"); // true under `deno run -A`, on Bun and on Node
 * ```
 */
export function readGranted(path: string): boolean {
  return grantedWithoutAsking({ name: "read", path });
}

const decoder = new TextDecoder();

/**
 * Reads the file at `path` (at most `size` bytes) through one open file.
 * A file that cannot be opened (gone, not Linux, or on Deno not granted) or
 * read (its process ended) reads as undefined; one that could not be opened
 * for want of a descriptor is opened at a later reading.
 *
 * @example
 * ```ts
 * import { ProcFileReader } from "./proc_file_reader.ts";
 * const statm = new ProcFileReader("/proc/self/statm", 128);
 * const n = statm.read(); // its length: statm.bytes.subarray(0, n) holds "1254 311 240 1 0 187 0\n"
 * statm.text(); // the same as text
 * statm.close();
 * ```
 */
export class ProcFileReader {
  /** The buffer each reading fills from its start; valid up to the length `read()` returned. */
  readonly bytes: Uint8Array;
  #fd: number | undefined;
  /**
   * The path, while opening it failed for want of a descriptor (EMFILE,
   * ENFILE): each reading tries again, so that a watched process is not
   * left unread for good. Otherwise undefined.
   */
  #retryPath: string | undefined;

  constructor(path: string, size: number) {
    this.bytes = new Uint8Array(size);
    if (readGranted(path)) this.#open(path);
  }

  #open(path: string): void {
    try {
      this.#fd = openSync(path, "r");
      this.#retryPath = undefined;
    } catch (error) {
      const code = (error as { code?: string }).code;
      this.#retryPath = code === "EMFILE" || code === "ENFILE"
        ? path
        : undefined;
    }
  }

  /** Reads the file into `bytes`: how many bytes it holds now, or undefined once it is gone or the reader closed. */
  read(): number | undefined {
    if (this.#fd === undefined && this.#retryPath !== undefined) {
      this.#open(this.#retryPath);
    }
    if (this.#fd === undefined) return undefined;
    try {
      return readSync(this.#fd, this.bytes, 0, this.bytes.length, 0);
    } catch {
      return undefined;
    }
  }

  /** The file's text now, or undefined once it is gone or the reader closed. */
  text(): string | undefined {
    const n = this.read();
    return n === undefined
      ? undefined
      : decoder.decode(this.bytes.subarray(0, n));
  }

  /** Closes the file; later readings are undefined. Idempotent. */
  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
    this.#retryPath = undefined;
  }
}
