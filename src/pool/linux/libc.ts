/**
 * The libc calls a worker makes through its runtime's FFI, the one place
 * the three differ: Deno's `Deno.dlopen` (needs the ffi permission, which a
 * worker never asks for), Bun's `bun:ffi`, Node's `node:ffi` (Node 26;
 * refused under `--permission` without `--allow-ffi`). Opened once, on first
 * use; where none works the callers fall back to what they did without it.
 */
import { closeSync } from "node:fs";
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
   * `bytes` of an anonymous shared file (`memfd_create`, close-on-exec)
   * mapped into this process: what is written to `buffer` is in the file at
   * once, where another process reads it through `/proc/PID/fd/FD`.
   * Undefined if a call failed. The mapping lasts as long as the process.
   */
  sharedMemory(bytes: number): SharedMemory | undefined;
}

/** A shared file's descriptor in this process and its mapped memory (`Libc.sharedMemory`). */
export interface SharedMemory {
  fd: number;
  buffer: ArrayBuffer;
}

const RUSAGE_CHILDREN = -1;
const MFD_CLOEXEC = 1;
const PROT_READ_WRITE = 3;
const MAP_SHARED = 1;
/** The name `memfd_create` gives the file (/proc/PID/fd/FD links to "/memfd:memlimits"). */
const MEMFD_NAME = new TextEncoder().encode("memlimits\0");
/** `struct rusage` on 64-bit Linux: two timevals, then 14 longs. */
const RUSAGE_BYTES = 144;

/**
 * The raw calls: `getrusage` writes into the buffer it was made with;
 * `memfd` makes a file named MEMFD_NAME, `map` maps `bytes` of `fd` shared,
 * read and write (null if mmap failed).
 */
interface Calls {
  prctl(option: number, arg: bigint, a: bigint, b: bigint, c: bigint): number;
  getrusage(who: number): number;
  memfd(): number;
  ftruncate(fd: number, bytes: number): number;
  map(fd: number, bytes: number): ArrayBuffer | null;
}

const PRCTL = ["i32", "u64", "u64", "u64", "u64"];
const MMAP = ["pointer", "u64", "i32", "i32", "i32", "i64"];
/** `mmap`'s MAP_FAILED, as an address. */
const MAP_FAILED = 2n ** 64n - 1n;

function denoCalls(buffer: Uint8Array): Calls | undefined {
  const deno = (globalThis as unknown as {
    Deno: {
      UnsafePointer: { value(pointer: unknown): bigint | number };
      UnsafePointerView: {
        getArrayBuffer(pointer: unknown, bytes: number): ArrayBuffer;
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
    memfd_create: { parameters: ["buffer", "u32"], result: "i32" },
    ftruncate: { parameters: ["i32", "i64"], result: "i32" },
    mmap: { parameters: MMAP, result: "pointer" },
  });
  const { UnsafePointer, UnsafePointerView } = deno;
  return {
    prctl: (...args) => symbols.prctl(...args),
    getrusage: (who) => symbols.getrusage(who, buffer),
    memfd: () => symbols.memfd_create(MEMFD_NAME, MFD_CLOEXEC),
    ftruncate: (fd, bytes) => symbols.ftruncate(fd, BigInt(bytes)),
    map(fd, bytes) {
      const at = symbols.mmap(
        null,
        BigInt(bytes),
        PROT_READ_WRITE,
        MAP_SHARED,
        fd,
        0n,
      );
      if (at === null || BigInt(UnsafePointer.value(at)) === MAP_FAILED) {
        return null;
      }
      return UnsafePointerView.getArrayBuffer(at, bytes);
    },
  };
}

function bunCalls(buffer: Uint8Array): Calls {
  // Through getBuiltinModule, as the Bun meter loads bun:jsc: an import()
  // of it would not type-check elsewhere, and `deno publish` warns about an
  // import() it cannot analyze.
  const { dlopen, FFIType, toArrayBuffer } =
    // deno-lint-ignore no-explicit-any
    process.getBuiltinModule("bun:ffi") as any;
  const { i32, u32, u64, i64, ptr } = FFIType;
  const { symbols } = dlopen("libc.so.6", {
    prctl: { args: [i32, u64, u64, u64, u64], returns: i32 },
    getrusage: { args: [i32, ptr], returns: i32 },
    memfd_create: { args: [ptr, u32], returns: i32 },
    ftruncate: { args: [i32, i64], returns: i32 },
    mmap: { args: [ptr, u64, i32, i32, i32, i64], returns: ptr },
  });
  return {
    prctl: (...args) => symbols.prctl(...args),
    getrusage: (who) => symbols.getrusage(who, buffer),
    memfd: () => symbols.memfd_create(MEMFD_NAME, MFD_CLOEXEC),
    ftruncate: (fd, bytes) => symbols.ftruncate(fd, bytes),
    map(fd, bytes) {
      const at = symbols.mmap(null, bytes, PROT_READ_WRITE, MAP_SHARED, fd, 0);
      // Bun gives addresses as numbers: MAP_FAILED (-1) reads as 2 ** 64.
      if (at === null || BigInt(at) >= MAP_FAILED) return null;
      return toArrayBuffer(at, 0, bytes);
    },
  };
}

function nodeCalls(buffer: Uint8Array): Calls | undefined {
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
      toArrayBuffer(pointer: bigint, bytes: number, copy: boolean): ArrayBuffer;
    } | undefined;
    if (!ffi) return undefined; // before Node 26
    const { functions } = ffi.dlopen("libc.so.6", {
      prctl: { arguments: PRCTL, return: "i32" },
      getrusage: { arguments: ["i32", "pointer"], return: "i32" },
      memfd_create: { arguments: ["pointer", "u32"], return: "i32" },
      ftruncate: { arguments: ["i32", "i64"], return: "i32" },
      mmap: { arguments: MMAP, return: "pointer" },
    });
    // Their own ArrayBuffers: the memory stays where it is.
    const pointer = ffi.getRawPointer(buffer.buffer as ArrayBuffer);
    const name = ffi.getRawPointer(MEMFD_NAME.buffer as ArrayBuffer);
    return {
      prctl: (...args) => functions.prctl(...args),
      getrusage: (who) => functions.getrusage(who, pointer),
      memfd: () => functions.memfd_create(name, MFD_CLOEXEC),
      ftruncate: (fd, bytes) => functions.ftruncate(fd, BigInt(bytes)),
      map(fd, bytes) {
        const at = functions.mmap(
          0n,
          BigInt(bytes),
          PROT_READ_WRITE,
          MAP_SHARED,
          fd,
          0n,
        ) as unknown as bigint;
        if (at === MAP_FAILED) return null;
        // Not a copy: the mapped memory itself.
        return ffi.toArrayBuffer(at, bytes, false);
      },
    };
  } finally {
    process.emitWarning = emitWarning;
  }
}

function open(): Libc | undefined {
  if (process.platform !== "linux") return undefined;
  // Its own ArrayBuffer (not on the JS heap): its address does not move.
  const buffer = new Uint8Array(new ArrayBuffer(RUSAGE_BYTES));
  let calls: Calls | undefined;
  try {
    calls = runtime === "deno"
      ? denoCalls(buffer)
      : runtime === "bun"
      ? bunCalls(buffer)
      : nodeCalls(buffer);
  } catch {
    return undefined; // no libc.so.6, FFI refused, ...
  }
  if (!calls) return undefined;
  const { prctl, getrusage, memfd, ftruncate, map } = calls;
  // ru_utime and ru_stime: seconds and µs each.
  const times = new BigInt64Array(buffer.buffer, 0, 4);
  return {
    prctl: (option, arg) => prctl(option, arg, 0n, 0n, 0n),
    childrenCpuUs() {
      if (getrusage(RUSAGE_CHILDREN) !== 0) return undefined;
      return Number(times[0] + times[2]) * 1e6 + Number(times[1] + times[3]);
    },
    sharedMemory(bytes) {
      const fd = memfd();
      if (fd < 0) return undefined;
      const buffer = ftruncate(fd, bytes) === 0 ? map(fd, bytes) : null;
      if (buffer === null) {
        closeSync(fd);
        return undefined;
      }
      return { fd, buffer };
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
