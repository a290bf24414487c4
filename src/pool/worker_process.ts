/**
 * One worker: a child process running `worker_main.ts` on the task module.
 * A process rather than a thread because a busy thread cannot be stopped on
 * Deno 2.9 (`terminate()` returns, but the thread keeps running; see
 * docs/workers.md), whereas a process can always be killed, and the kernel
 * tells us its resident memory alone.
 */
import { type ChildProcess, spawn } from "node:child_process";
import type { RunMessage, WorkerMessage } from "./protocol.ts";
import { ResidentReader } from "./rss_watch.ts";
import { spawnCommand } from "./spawn_command.ts";

/**
 * Live worker processes of every pool. If the host exits with pools still
 * open (an uncaught error, `process.exit()`), they are killed on the way
 * out: an idle worker would leave on its own when its channel closes, a busy
 * one would not.
 */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function killLiveOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const child of live) child.kill("SIGKILL");
  });
}

/** How a worker process ended. */
export interface WorkerExit {
  code: number | null;
  signal: string | null;
}

export class WorkerProcess {
  readonly #child: ChildProcess;
  readonly #resident: ResidentReader;
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
  /** Resident bytes right after the module loaded. */
  freshBytes = 0;
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
    const { command, args } = commandLine;
    this.#child = spawn(command, args, {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      serialization: "advanced",
    });
    this.#resident = new ResidentReader(this.#child.pid!);
    live.add(this.#child);
    killLiveOnExit();
    this.exited = new Promise((resolve) => {
      const end = (exit: WorkerExit) => {
        live.delete(this.#child);
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
          this.freshBytes = this.residentBytes() ?? 0;
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

  /** Kills the process at once (SIGKILL: works whatever it is doing) and waits for its exit. */
  kill(): Promise<WorkerExit> {
    this.killed = true;
    this.#child.kill("SIGKILL");
    return this.exited;
  }
}
