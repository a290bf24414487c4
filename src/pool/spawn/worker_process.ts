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
import type { RunMessage, WorkerMessage } from "../wire/messages.ts";
import { ResidentReader } from "../linux/resident_memory.ts";
import { spawnCommand } from "./command_line.ts";

/** How a worker process ended. */
export interface WorkerExit {
  code: number | null;
  signal: string | null;
}

export class WorkerProcess {
  readonly #child: ChildProcess;
  readonly #resident: ResidentReader;
  /** True once the exit was seen (the process was reaped). */
  #gone = false;
  /** Resolves with the module's exported function names once loaded. */
  readonly ready: Promise<string[]>;
  /** Resolves when the process has exited (for any reason). */
  readonly exited: Promise<WorkerExit>;
  /** True once we asked for the process to be killed. */
  killed = false;
  /** True once the task module loaded ("ready"). */
  loaded = false;
  /** Tasks sent to this worker so far. */
  tasksRun = 0;
  /** Resident bytes above `freshBytes` when its last task under memory limits ended. */
  keptBytes = 0;
  /** Whether `keptBytes` was read (else it is an upper bound: the task's peak). */
  keptExact = true;
  /** Resident bytes right after the module loaded. */
  freshBytes = 0;
  /** Whether the worker reports exact peaks (it may reset its VmHWM). */
  reportsPeaks = false;
  /** The pool's watch slot for this worker (-1: none). */
  slot = -1;
  /** Why the process could not be started, if it could not. */
  spawnError: Error | undefined;
  /** Called for every message after "ready". */
  onMessage: (message: WorkerMessage) => void = () => {};

  /** `commandLine` replaces the runtime's (tests use it for a failed spawn). */
  constructor(
    moduleUrl: string,
    heapCap: number | undefined,
    commandLine = spawnCommand(moduleUrl, heapCap),
  ) {
    const { command, args, env } = commandLine;
    this.#child = spawn(command, args, {
      env,
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      serialization: "advanced",
      // Its own process group: killing the group kills what the task started.
      detached: true,
    });
    const pid = this.#child.pid;
    this.#resident = new ResidentReader(pid ?? 0);
    if (pid !== undefined) killAtHostExit(pid);
    this.exited = new Promise((resolve) => {
      const end = (exit: WorkerExit) => {
        this.#gone = true;
        if (pid !== undefined) {
          // Descendants may outlive a worker that exited on its own.
          killGroup(pid);
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
    this.ready = new Promise((resolve, reject) => {
      const first = (message: WorkerMessage) => {
        if (message.t === "ready") {
          this.freshBytes = this.residentBytes() ?? message.rss;
          this.reportsPeaks = message.peaks;
          this.loaded = true;
          this.#child.on("message", (m: WorkerMessage) => this.onMessage(m));
          resolve(message.exports);
        } else if (message.t === "fatal") {
          const e = new Error(
            `the task module failed to load: ${message.error.message}`,
          );
          e.stack = message.error.stack ?? e.stack;
          reject(e);
        }
      };
      this.#child.once("message", first);
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
      // Through the ChildProcess too: Deno closes the IPC channel's resource then.
      this.#child.kill("SIGKILL");
    }
    this.killed = true;
    return this.exited;
  }
}
