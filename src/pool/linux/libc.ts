/**
 * The libc calls a worker makes through its runtime's FFI, the one place
 * the three differ: Deno's `Deno.dlopen` (needs the ffi permission, which a
 * worker never asks for), Bun's `bun:ffi`, Node's `node:ffi` (Node 26;
 * refused under `--permission` without `--allow-ffi`). Opened once, on first
 * use; where none works the callers fall back to what they did without it.
 */
import { runtime } from "../../runtime.ts";

/** libc, as far as the worker uses it. */
export interface Libc {
  /** `prctl(option, arg, 0, 0, 0)`: 0 on success. */
  prctl(option: number, arg: bigint): number;
  /**
   * CPU time (user + system) of the children this process waited for, µs,
   * from `getrusage(RUSAGE_CHILDREN)`; undefined if the call failed.
   */
  childrenCpuUs(): number | undefined;
  /**
   * Names the calling thread (`prctl(PR_SET_NAME)`, 15 bytes at most, as
   * /proc/PID/task/TID/comm shows it): true if it did.
   */
  setThreadName(name: string): boolean;
}

const RUSAGE_CHILDREN = -1;
const PR_SET_NAME = 15;
/** A thread's name: 15 bytes and the terminating zero. */
const NAME_BYTES = 16;
/** `struct rusage` on 64-bit Linux: two timevals, then 14 longs. */
const RUSAGE_BYTES = 144;

/**
 * The raw calls: `getrusage` writes into the buffer it was made with;
 * `name` is the address of the name buffer, for `prctl(PR_SET_NAME)`.
 */
interface Calls {
  prctl(option: number, arg: bigint, a: bigint, b: bigint, c: bigint): number;
  getrusage(who: number): number;
  name: bigint;
}

const PRCTL = ["i32", "u64", "u64", "u64", "u64"];

function denoCalls(buffer: Uint8Array, name: Uint8Array): Calls | undefined {
  const deno = (globalThis as unknown as {
    Deno: {
      UnsafePointer: {
        of(buffer: Uint8Array): unknown;
        value(pointer: unknown): bigint | number;
      };
      permissions: { querySync(d: { name: string }): { state: string } };
      dlopen(
        path: string,
        symbols: Record<string, { parameters: string[]; result: string }>,
      ): { symbols: Record<string, (...args: unknown[]) => number> };
    };
  }).Deno;
  // Asking would prompt on a terminal; a worker never asks.
  if (deno.permissions.querySync({ name: "ffi" }).state !== "granted") {
    return undefined;
  }
  const { symbols } = deno.dlopen("libc.so.6", {
    prctl: { parameters: PRCTL, result: "i32" },
    getrusage: { parameters: ["i32", "buffer"], result: "i32" },
  });
  const { UnsafePointer } = deno;
  return {
    prctl: (...args) => symbols.prctl(...args),
    getrusage: (who) => symbols.getrusage(who, buffer),
    name: BigInt(UnsafePointer.value(UnsafePointer.of(name))),
  };
}

function bunCalls(buffer: Uint8Array, name: Uint8Array): Calls {
  // Through getBuiltinModule, as the Bun meter loads bun:jsc: an import()
  // of it would not type-check elsewhere, and `deno publish` warns about an
  // import() it cannot analyze.
  // deno-lint-ignore no-explicit-any
  const { dlopen, FFIType, ptr } = process.getBuiltinModule("bun:ffi") as any;
  const { symbols } = dlopen("libc.so.6", {
    prctl: {
      args: [FFIType.i32, FFIType.u64, FFIType.u64, FFIType.u64, FFIType.u64],
      returns: FFIType.i32,
    },
    getrusage: { args: [FFIType.i32, FFIType.ptr], returns: FFIType.i32 },
  });
  return {
    prctl: (...args) => symbols.prctl(...args),
    getrusage: (who) => symbols.getrusage(who, buffer),
    name: BigInt(ptr(name)),
  };
}

function nodeCalls(buffer: Uint8Array, name: Uint8Array): Calls | undefined {
  const getBuiltin = (process as unknown as {
    getBuiltinModule?: (id: string) => unknown;
  }).getBuiltinModule;
  // Node prints an ExperimentalWarning for node:ffi: kept from the user for
  // this call only (a task's own use of it still warns).
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (!/FFI/.test(String(warning))) {
      (emitWarning as (...args: unknown[]) => void).call(
        process,
        warning,
        ...rest,
      );
    }
  }) as typeof process.emitWarning;
  try {
    const ffi = getBuiltin?.call(process, "node:ffi") as {
      dlopen(
        path: string,
        definitions: Record<string, { arguments: string[]; return: string }>,
      ): { functions: Record<string, (...args: unknown[]) => number> };
      getRawPointer(source: ArrayBuffer): bigint;
    } | undefined;
    if (!ffi) return undefined; // before Node 26
    const { functions } = ffi.dlopen("libc.so.6", {
      prctl: { arguments: PRCTL, return: "i32" },
      getrusage: { arguments: ["i32", "pointer"], return: "i32" },
    });
    // The buffer's own ArrayBuffer: its memory stays where it is.
    const pointer = ffi.getRawPointer(buffer.buffer as ArrayBuffer);
    return {
      prctl: (...args) => functions.prctl(...args),
      getrusage: (who) => functions.getrusage(who, pointer),
      name: ffi.getRawPointer(name.buffer as ArrayBuffer),
    };
  } finally {
    process.emitWarning = emitWarning;
  }
}

function open(): Libc | undefined {
  if (process.platform !== "linux") return undefined;
  const buffer = new Uint8Array(new ArrayBuffer(RUSAGE_BYTES));
  // Its own ArrayBuffer (not on the JS heap): its address does not move.
  const name = new Uint8Array(new ArrayBuffer(NAME_BYTES));
  let calls: Calls | undefined;
  try {
    calls = runtime === "deno"
      ? denoCalls(buffer, name)
      : runtime === "bun"
      ? bunCalls(buffer, name)
      : nodeCalls(buffer, name);
  } catch {
    return undefined; // no libc.so.6, FFI refused, ...
  }
  if (!calls) return undefined;
  const { prctl, getrusage } = calls;
  const encoder = new TextEncoder();
  // ru_utime and ru_stime: seconds and µs each.
  const times = new BigInt64Array(buffer.buffer, 0, 4);
  return {
    prctl: (option, arg) => prctl(option, arg, 0n, 0n, 0n),
    childrenCpuUs() {
      if (getrusage(RUSAGE_CHILDREN) !== 0) return undefined;
      return Number(times[0] + times[2]) * 1e6 + Number(times[1] + times[3]);
    },
    setThreadName(text) {
      name.fill(0);
      encoder.encodeInto(text.slice(0, NAME_BYTES - 1), name);
      return prctl(PR_SET_NAME, calls.name, 0n, 0n, 0n) === 0;
    },
  };
}

let opened: { libc: Libc | undefined } | undefined;

/**
 * libc through this runtime's FFI; undefined off Linux, without libc.so.6,
 * or where the runtime or its permissions refuse FFI (never throws).
 *
 * @example
 * ```ts
 * import { libc } from "./libc.ts";
 * libc()?.childrenCpuUs(); // e.g. 0 before this process waited for a child
 * ```
 */
export function libc(): Libc | undefined {
  opened ??= { libc: open() };
  return opened.libc;
}
