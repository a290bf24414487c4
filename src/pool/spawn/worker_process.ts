/**
 * One worker: a child process running `worker.process.ts` on the task module,
 * leading its own process group, so that it dies with everything it started.
 * A process rather than a thread because a busy thread cannot be stopped on
 * Deno 2.9 (`terminate()` returns, but the thread keeps running; see
 * docs/workers.md), whereas a process can always be killed, and the kernel
 * tells us its resident memory alone.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { forgetAtHostExit, killAtHostExit } from "./host_exit.ts";
import { killGroup, killTree } from "../linux/signals.ts";
import {
  readWorkerMessage,
  type RunMessage,
  type WorkerMessage,
} from "../wire/messages.ts";
import { ResidentReader } from "../linux/resident_memory.ts";
import { markedProcesses, MARKER_VARIABLE } from "../linux/marked_processes.ts";
import { spawnCommand } from "./command_line.ts";
import { BeaconReader } from "../wire/run_beacon.ts";

/** `WorkerPoolOptions.startTimeout` when not given, ms. */
export const DEFAULT_START_TIMEOUT = 30_000;

/** The longest the pool waits, after a worker's exit, for its channel to close. */
const CLOSE_AFTER_EXIT_MS = 1000;

/** How a worker process ended. */
export interface WorkerExit {
  code: number | null;
  signal: string | null;
}

export class WorkerProcess {
  readonly #child: ChildProcess;
  readonly #resident: ResidentReader;
  /** `MEMLIMITS_WORKER` of this worker's environment (linux/marked_processes.ts). */
  readonly #marker: string;
  /** True once the exit was seen (the process was reaped). */
  #gone = false;
  /** Resolves with the module's exported function names once loaded. */
  readonly ready: Promise<string[]>;
  /** Resolves when the process has exited (for any reason). */
  readonly exited: Promise<WorkerExit>;
  /**
   * Resolves once the process has exited and every message it sent has been
   * read (the channel closed), or a second after the exit if something it
   * started holds the channel open.
   */
  readonly closed: Promise<void>;
  /** True once we asked for the process to be killed. */
  killed = false;
  /** True once the task module loaded ("ready"). */
  loaded = false;
  /** Resident bytes right after the module loaded. */
  freshBytes = 0;
  /** Whether the worker is a child subreaper (linux/subreaper.ts). */
  subreaper = false;
  /** Whether the worker reports exact peaks (it may reset its VmHWM). */
  reportsPeaks = false;
  /** Its run beacon (wire/run_beacon.ts), where it shows which run it started; open until it is gone. */
  beacon: BeaconReader | undefined;
  /**
   * The tag its beacon showed last, read once it is gone and every message
   * it sent was read (`closed`); NaN before, or without a beacon.
   */
  lastTag = NaN;
  /**
   * The worker's CPU time when it last became idle, ms, as it reported it
   * (NaN: not known): its next task's CPU time counts from there.
   */
  idleCpuMs = NaN;
  /** Why the process could not be started, if it could not. */
  spawnError: Error | undefined;
  /** Called for every message after "ready". */
  onMessage: (message: WorkerMessage) => void = () => {};

  /**
   * `commandLine` replaces the runtime's (tests use it for a failed spawn).
   * `ready` rejects if the worker is not ready within `startTimeout` ms (the
   * owner then kills it).
   */
  constructor(
    moduleUrl: string,
    heapCap: number | undefined,
    commandLine = spawnCommand(moduleUrl, heapCap),
    startTimeout = DEFAULT_START_TIMEOUT,
  ) {
    const { command, args, env } = commandLine;
    const marker = crypto.randomUUID();
    this.#child = spawn(command, args, {
      // Where the worker cannot be a subreaper, its descendants are found by this.
      env: { ...(env ?? process.env), [MARKER_VARIABLE]: marker },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      serialization: "advanced",
      // Its own process group: killing the group kills what the task started.
      detached: true,
    });
    const pid = this.#child.pid;
    this.#marker = marker;
    this.#resident = new ResidentReader(pid ?? 0);
    if (pid !== undefined) killAtHostExit(pid);
    this.exited = new Promise((resolve) => {
      const end = (exit: WorkerExit) => {
        this.#gone = true;
        if (pid !== undefined) {
          // Descendants may outlive a worker that exited on its own.
          killGroup(pid);
          if (!this.subreaper) this.#killMarked();
          forgetAtHostExit(pid);
        }
        this.#resident.close();
        resolve(exit);
      };
      this.#child.once("exit", (code, signal) => end({ code, signal }));
      // Without a listener, "error" would crash the host. It comes after a
      // failed spawn (no "exit" follows: this is the end), and after a send
      // to a worker that just died (its "exit" follows).
      this.#child.on("error", (error) => {
        if (this.#child.pid === undefined) {
          this.spawnError = error;
          end({ code: null, signal: null });
        }
      });
    });
    this.closed = new Promise<void>((resolve) => {
      let done = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const close = () => {
        // Once: a disconnect below closes the channel, and says so.
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (this.beacon) this.lastTag = this.beacon.tag();
        this.beacon?.close();
        resolve();
      };
      this.#child.once("close", close);
      this.exited.then(() => {
        if (done) return;
        timer = setTimeout(() => {
          // Deno keeps the channel of a worker that died in the middle of
          // a message open: closed here, it is not left behind.
          if (this.#child.connected) this.#child.disconnect();
          close();
        }, CLOSE_AFTER_EXIT_MS);
      });
    });
    this.ready = new Promise<string[]>((resolve, reject) => {
      // A module whose top level spins or awaits forever never sends
      // "ready": without a bound, every run would wait for it.
      const timer = setTimeout(() => {
        reject(
          new Error(
            `the task module ${moduleUrl} did not finish loading within startTimeout (${startTimeout} ms)`,
          ),
        );
      }, startTimeout);
      this.exited.then(() => clearTimeout(timer));
      // Only well-formed messages count (worker/private_channel.ts).
      this.#child.on("message", (raw: unknown) => {
        const message = readWorkerMessage(raw);
        if (message === undefined) return;
        if (this.loaded) {
          if (message.t !== "ready" && message.t !== "fatal") {
            if ("usage" in message) {
              this.idleCpuMs = message.usage.processCpuMs ?? NaN;
            }
            this.onMessage(message);
          }
        } else if (message.t === "ready") {
          this.freshBytes = this.residentBytes() ?? message.rss;
          this.reportsPeaks = message.peaks;
          this.subreaper = message.subreaper;
          if (message.beacon !== undefined && pid !== undefined) {
            this.beacon = BeaconReader.open(pid, message.beacon);
          }
          this.idleCpuMs = message.processCpuMs ?? NaN;
          this.loaded = true;
          clearTimeout(timer);
          resolve(message.exports);
        } else if (message.t === "fatal") {
          const e = new Error(
            `the task module failed to load: ${message.error.message}`,
          );
          e.stack = message.error.stack ?? e.stack;
          clearTimeout(timer);
          reject(e);
        }
      });
      this.exited.then(({ code, signal }) =>
        reject(
          this.spawnError
            ? new Error(
              `the worker process could not be started: ${this.spawnError.message}`,
              { cause: this.spawnError },
            )
            : new Error(
              `worker process exited before it was ready (code ${code}, signal ${signal})`,
            ),
        )
      );
    });
    this.ready.catch(() => {}); // observed by the pool
  }

  /** Kills the processes that carry this worker's marker: its descendants that left its tree. */
  #killMarked(): void {
    for (const pid of markedProcesses(this.#marker)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // gone meanwhile
      }
    }
  }

  /** The child's pid. */
  get pid(): number {
    return this.#child.pid!;
  }

  /** Sends a task. */
  send(message: RunMessage): void {
    this.#child.send(message);
  }

  /** Resident bytes of the process now, or undefined once it is gone. */
  residentBytes(): number | undefined {
    return this.#resident.read();
  }

  /**
   * Kills the process and everything it started at once (SIGKILL: works
   * whatever it is doing) and waits for its exit.
   */
  kill(): Promise<WorkerExit> {
    // Once reaped, its pid may be another process's: only the group is left,
    // and the exit handler killed that.
    if (!this.killed && !this.#gone && this.#child.pid !== undefined) {
      killTree(this.#child.pid);
      if (!this.subreaper) this.#killMarked();
      // Through the ChildProcess too: Deno closes the IPC channel's resource then.
      this.#child.kill("SIGKILL");
    }
    this.killed = true;
    return this.exited;
  }
}
