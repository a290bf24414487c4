/**
 * The worker's IPC channel to the host, kept from the task's code. The
 * runtime puts the channel on `process` (`send`, `channel`, `connected`, the
 * "message" and "disconnect" events), where any task could forge the
 * worker's results or read the next tasks' arguments. Before the task
 * module is imported, this module takes them:
 *
 * - `send`, `_send`, `channel`, `_channel` and `connected` become accessors
 *   that give the runtime's values only while no task code can run (the
 *   worker is idle, or sends its own message); while the module loads and
 *   while a task runs, they read `undefined`. The runtimes' own IPC code
 *   reads them by name on `process` (Node's `handleMessage` checks
 *   `process.channel`, Deno's read loop `process.connected`), so they cannot
 *   simply be deleted; it reads them only when a message arrives. The host
 *   sends a worker nothing while it loads, and nothing while it runs a task
 *   but a run sent ahead (queue/ahead.ts): for that one, `channel` and
 *   `connected` are given to the runtime's own code alone, told by its
 *   caller's frame (`readByRuntime`: 2 µs on Node, 9 on Deno, once per run
 *   sent ahead; every read told this way would cost about two a message).
 * - "message" and "disconnect" reach only this module: `process.emit` (how
 *   Node and Deno deliver them) becomes an accessor whose function keeps
 *   them, whatever the task assigns to it, and any other listener of theirs
 *   is removed as soon as it is added (how Bun delivers them, natively).
 * - The host accepts a result only for the job the worker runs, with that
 *   job's token (a random number in its run message, which the task never
 *   sees): a result sent by other means (a timer the task left behind, which
 *   may run while the worker is idle, or the listener below, called with a
 *   run message the task made up) does not count.
 *
 * Not a sandbox: code in the worker's process can reach its memory and file
 * descriptors. It keeps ordinary and careless task code, and the obvious
 * forgery, away from the pool's protocol.
 */
import { killOwnGroup } from "../linux/signals.ts";
import type { RunMessage, WorkerMessage } from "../wire/messages.ts";

type Process = Record<string, unknown>;
type Emit = (event: string | symbol, ...args: unknown[]) => boolean;

const HIDDEN = ["send", "_send", "channel", "_channel", "connected"];
/** Node's error when the channel closes under a `disconnect()` it cannot see. */
const CLOSED_CODES = ["ERR_IPC_DISCONNECTED", "ERR_IPC_CHANNEL_CLOSED"];

/** The worker's side of its channel, once taken from `process`. */
export interface PrivateChannel {
  /** Gets the host's messages. */
  onMessage: (message: RunMessage) => void;
  /** The host closed the channel (pool closed, or the host died). Default: the worker leaves, with everything its tasks started. */
  onDisconnect: () => void;
  /** Sends `message` to the host. */
  send(message: WorkerMessage): void;
  /** Task code may run from now (true) or not (false): the channel is hidden while it may. */
  taskCode(running: boolean): void;
  /**
   * Starts hearing the host: adds the pool's "message" and "disconnect"
   * listeners, which keep the process alive. Called by the worker's entry,
   * not when this module is evaluated: in a Deno preload, such a listener
   * keeps Deno from ever evaluating the next module (measured on 2.9.6: it
   * runs the event loop dry after each preload). Idempotent.
   */
  listen(): void;
}

/**
 * What the runtimes' IPC code reads when a message arrives: Node's
 * `handleMessage` checks `process.channel`, Deno's read loop
 * `process.connected`. A run sent ahead (queue/ahead.ts) arrives while a
 * task may run: then they are given to that code alone.
 */
const READ_ON_ARRIVAL = ["channel", "connected"];
/** Where the runtimes' own modules live (no task's file can be named so). */
const RUNTIME_FILE = /^(?:node:internal\/|ext:deno_node\/)/;
const NativeError = Error as ErrorConstructor & {
  prepareStackTrace?: (error: Error, sites: CallSite[]) => unknown;
  captureStackTrace(target: object, above?: unknown): void;
};
interface CallSite {
  getFileName(): string | null | undefined;
}

/**
 * Whether the code that called `accessor` is the runtime's own: its frame,
 * read as a CallSite (a stack text could be made up by a task's
 * `Error.prepareStackTrace`; one the task made unwritable makes this false).
 * A few µs, once per message that arrives while a task may run.
 */
function readByRuntime(accessor: unknown): boolean {
  const prepare = NativeError.prepareStackTrace;
  const limit = NativeError.stackTraceLimit;
  try {
    NativeError.prepareStackTrace = (_, sites) => sites;
    NativeError.stackTraceLimit = 1;
    const holder: { stack?: unknown } = {};
    NativeError.captureStackTrace(holder, accessor);
    const sites = holder.stack;
    const file = Array.isArray(sites)
      ? (sites[0] as CallSite | undefined)?.getFileName()
      : undefined;
    return typeof file === "string" && RUNTIME_FILE.test(file);
  } catch {
    return false;
  } finally {
    try {
      NativeError.prepareStackTrace = prepare;
      NativeError.stackTraceLimit = limit;
    } catch {
      // left as the task made it
    }
  }
}

/** Takes the channel from `process` (once: see `channel`). */
function takeChannel(): PrivateChannel {
  const proc = process as unknown as Process;
  const values = new Map<string, unknown>();
  // Hidden from the start: where Deno preloads the task module, its top
  // level runs next, before the worker's entry.
  let visible = false;
  for (const name of HIDDEN) {
    const own = Object.getOwnPropertyDescriptor(proc, name);
    if (!own) continue;
    // Node's `_channel` is a getter of `channel`: read through it.
    if (own.get) {
      Object.defineProperty(proc, name, {
        configurable: false,
        enumerable: false,
        get: () => visible ? own.get!.call(proc) : undefined,
        set: (value) => own.set?.call(proc, value),
      });
      continue;
    }
    values.set(name, own.value);
    delete proc[name];
    const arrival = READ_ON_ARRIVAL.includes(name);
    Object.defineProperty(proc, name, {
      configurable: false,
      enumerable: false,
      get: function get() {
        return visible || (arrival && readByRuntime(get))
          ? values.get(name)
          : undefined;
      },
      // The runtime's own writes (`connected = false` at the end) land.
      set: (value) => {
        if (visible) values.set(name, value);
      },
    });
  }
  const receive = (message: unknown): void =>
    taken.onMessage(message as RunMessage);
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    taken.onDisconnect();
  };
  /** Whether `event` is the pool's: delivered to this module alone. */
  const ours = (event: string | symbol, args: unknown[]): boolean => {
    if (event === "message") receive(args[0]);
    else if (event === "disconnect") end();
    else if (
      event === "error" &&
      CLOSED_CODES.includes((args[0] as { code?: string })?.code ?? "")
    ) end();
    else return false;
    return true;
  };
  // An own `emit` can only be code that ran before (see `channel`): the
  // runtime's is inherited.
  if (Object.hasOwn(proc, "emit")) delete proc.emit;
  const runtimeEmit = proc.emit as Emit;
  const guard = (inner: Emit): Emit =>
    function (this: unknown, event, ...args) {
      if (ours(event, args)) return true;
      return inner.call(this, event, ...args);
    };
  let emit = guard(runtimeEmit);
  Object.defineProperty(proc, "emit", {
    configurable: false,
    enumerable: false,
    get: () => emit,
    // Code that wraps process.emit (signal-exit, ...) still works, inside the guard.
    set: (inner: Emit) => emit = guard(inner),
  });
  // Bun delivers "message" and "disconnect" to the listeners, not through
  // `emit`: those are ours alone.
  const mine = new Set<unknown>();
  const onMessage_ = (message: unknown) => receive(message);
  mine.add(onMessage_).add(end);
  process.on("newListener", (event: string | symbol) => {
    if (event !== "message" && event !== "disconnect") return;
    // Added after this call returns.
    queueMicrotask(() => {
      const emitter = process as unknown as NodeJS.EventEmitter;
      for (const listener of emitter.listeners(event)) {
        if (!mine.has(listener)) emitter.off(event, listener as () => void);
      }
    });
  });
  // A task that removes them would leave the worker deaf: they come back.
  process.on("removeListener", (event: string | symbol, listener: unknown) => {
    if (mine.has(listener)) process.on(event, listener as () => void);
  });
  // Listeners added before (see `channel`) are removed too.
  for (const event of ["message", "disconnect"]) {
    (process as unknown as NodeJS.EventEmitter).removeAllListeners(event);
  }
  let listening = false;
  const send = values.get("send") as (message: unknown) => boolean;
  const taken: PrivateChannel = {
    onMessage: () => {},
    onDisconnect: () => {
      killOwnGroup();
      process.exit(0);
    },
    send(message) {
      const was = visible;
      visible = true;
      try {
        send.call(proc, message);
      } finally {
        visible = was;
      }
    },
    taskCode(running) {
      visible = !running;
    },
    listen() {
      if (listening) return;
      listening = true;
      process.on("message", onMessage_);
      process.on("disconnect", end);
    },
  };
  return taken;
}

/**
 * The worker's channel, taken when this module is evaluated, before any
 * task code: the worker's entry imports it first, before it imports the task
 * module; where Deno preloads the task module (a worker that may not read
 * every file, command_line.ts), the load guard that is preloaded ahead of it
 * imports it (one module graph: the entry gets the same instance). Only the
 * channel's listeners wait for the entry (`listen`).
 */
export const channel: PrivateChannel = takeChannel();
