/**
 * Worker trees die with the host. Workers lead their own process groups, so
 * a signal sent to the host's group no longer reaches them, and a busy worker
 * does not notice its channel closing: the host kills every live worker tree
 * when it exits (normally, by `process.exit()`, or on an uncaught error) and
 * on SIGTERM, SIGINT and SIGHUP. For a signal the default behaviour is kept:
 * if no one else listens for it, the host then dies of it as it would have.
 * When a user's own listener handles the signal, that listener decides, and
 * the workers die at the exit that follows (or at `close()`).
 *
 * Deno emits no "exit" event when the host dies of an uncaught error or an
 * unhandled rejection, only the global "error" and "unhandledrejection"
 * events: the trees are killed there, unless a listener that came before ours
 * prevented the default (the host then lives on).
 *
 * The listeners are installed while any worker is alive and removed after the
 * last one, so a closed pool leaves none behind.
 */
import { runtime } from "../../runtime.ts";
import { killTree } from "../linux/signals.ts";

const live = new Set<number>();
const SIGNALS = ["SIGTERM", "SIGINT", "SIGHUP"] as const;
type HostSignal = typeof SIGNALS[number];
const SIGNAL_NUMBERS: Record<HostSignal, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGTERM: 15,
};
let installed = false;
const isDeno = runtime === "deno";
const FATAL_EVENTS = ["error", "unhandledrejection"] as const;
// Deno's global event target, typed here: the npm build (tsc with Node's
// types) has no DOM types, and only Deno dispatches these events.
type FatalListener = (event: Event) => void;
const denoGlobal = globalThis as unknown as {
  addEventListener(type: string, listener: FatalListener): void;
  removeEventListener(type: string, listener: FatalListener): void;
};

function killAll(): void {
  for (const pid of live) killTree(pid);
}

function onFatal(event: Event): void {
  if (!event.defaultPrevented) killAll();
}

const onSignal: Record<HostSignal, () => void> = {
  SIGTERM: () => die("SIGTERM"),
  SIGINT: () => die("SIGINT"),
  SIGHUP: () => die("SIGHUP"),
};

function die(signal: HostSignal): void {
  if (process.listenerCount(signal) > 1) return; // the user's listener decides
  killAll();
  uninstall();
  // Die of the signal, as without our listener; a runtime that keeps a
  // handler installed once one was added (Deno) would ignore it, so exit
  // with the conventional status shortly after in that case.
  process.kill(process.pid, signal);
  setTimeout(() => process.exit(128 + SIGNAL_NUMBERS[signal]), 20);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on("exit", killAll);
  for (const signal of SIGNALS) process.on(signal, onSignal[signal]);
  if (isDeno) {
    for (const type of FATAL_EVENTS) denoGlobal.addEventListener(type, onFatal);
  }
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off("exit", killAll);
  for (const signal of SIGNALS) process.off(signal, onSignal[signal]);
  if (isDeno) {
    for (const type of FATAL_EVENTS) {
      denoGlobal.removeEventListener(type, onFatal);
    }
  }
}

/** A worker started: kill its tree if the host goes. */
export function killAtHostExit(pid: number): void {
  live.add(pid);
  install();
}

/** A worker ended (and its tree was killed). */
export function forgetAtHostExit(pid: number): void {
  live.delete(pid);
  if (live.size === 0) uninstall();
}
