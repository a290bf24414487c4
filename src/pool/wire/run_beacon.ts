/**
 * The run beacon: how a worker shows its host which run it started, with no
 * system call per run. The worker maps a page of an anonymous shared file
 * (`memfd_create`, through its runtime's FFI) and writes a run's tag there
 * right before the run starts; the host opens that file through
 * /proc/PID/fd/FD once the worker is ready and reads the tag with a `pread`:
 * its watchdog thread (with a reader of its own), to watch a run sent ahead
 * from its start
 * (queue/ahead.ts), and its main thread, once the worker is gone, to tell
 * whether a run sent ahead to it ever started. (It replaced a thread name
 * set per run with `prctl`: 10 µs a run on Node in place, bench/RESULTS.md.)
 */
import { libc } from "../linux/libc.ts";
import { ProcFileReader } from "../linux/proc_file_reader.ts";

/** The shared file's size; the tag is the Float64 at its start. */
const BEACON_BYTES = 4096;
const TAG_BYTES = 8;

/**
 * The worker's end: a tag written to shared memory.
 *
 * @example
 * ```ts
 * import { RunBeacon } from "./run_beacon.ts";
 * const beacon = RunBeacon.create(); // undefined without FFI
 * beacon?.show(123456789012); // before the run with that tag starts
 * ```
 */
export class RunBeacon {
  /** The shared file's descriptor in this process (sent in "ready"). */
  readonly fd: number;
  readonly #tag: Float64Array;

  private constructor(fd: number, buffer: ArrayBuffer) {
    this.fd = fd;
    this.#tag = new Float64Array(buffer, 0, 1);
  }

  /** The beacon of this process; undefined where FFI or a call is refused. */
  static create(): RunBeacon | undefined {
    const shared = libc()?.sharedMemory(BEACON_BYTES);
    return shared && new RunBeacon(shared.fd, shared.buffer);
  }

  /** Shows `tag`: one store to memory, which the host reads at once. */
  show(tag: number): void {
    this.#tag[0] = tag;
  }
}

/**
 * The host's end: the beacon file of the worker `pid`, opened through /proc.
 *
 * @example
 * ```ts
 * import { BeaconReader } from "./run_beacon.ts";
 * // The worker's pid, and the descriptor its "ready" message announced.
 * declare const pid: number, fd: number;
 * const reader = BeaconReader.open(pid, fd);
 * reader?.tag(); // the tag of the run the worker started last (0: none yet)
 * reader?.close();
 * ```
 */
export class BeaconReader {
  /** The beacon's descriptor in the worker, as it announced it. */
  readonly workerFd: number;
  readonly #file: ProcFileReader;
  /** The file's first 8 bytes as read last: the tag. */
  readonly #tag: Float64Array;

  private constructor(workerFd: number, file: ProcFileReader) {
    this.workerFd = workerFd;
    this.#file = file;
    this.#tag = new Float64Array(file.bytes.buffer, 0, 1);
  }

  /**
   * Opens the beacon the worker `pid` announced as its descriptor `fd`;
   * undefined where /proc may not be read, or it is not a beacon.
   */
  static open(pid: number, fd: number): BeaconReader | undefined {
    const reader = new BeaconReader(
      fd,
      new ProcFileReader(`/proc/${pid}/fd/${fd}`, TAG_BYTES),
    );
    // A beacon holds a number from the start (0 until the first run).
    if (!Number.isNaN(reader.tag())) return reader;
    reader.close();
    return undefined;
  }

  /** The tag the worker showed last: one `pread` (NaN if it cannot be read, or once closed). */
  tag(): number {
    return this.#file.read() === TAG_BYTES ? this.#tag[0] : NaN;
  }

  /** Closes the file. Idempotent. */
  close(): void {
    this.#file.close();
  }
}
