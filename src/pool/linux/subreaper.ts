/**
 * A worker makes itself a child subreaper (`prctl(PR_SET_CHILD_SUBREAPER,
 * 1)`, Linux 3.4+): a process its task started that loses its parent (a
 * daemon started by `sh -c "setsid cmd &"`, a double fork, `nohup`) is then
 * re-parented to the worker instead of init, so it stays in the worker's
 * tree, where the watchdog counts it against the task's limits and
 * `killTree` finds it (signals.ts). Orphans that end stay zombies of the
 * worker until it is killed (the runtimes reap only the children they
 * started); a zombie holds no memory, and init reaps it after the kill.
 *
 * libc's `prctl` through each runtime's FFI, the one difference kept here:
 * Deno's `Deno.dlopen` (needs the ffi permission), Bun's `bun:ffi`, Node's
 * `node:ffi` (Node 26; refused under `--permission` without `--allow-ffi`).
 * Where none works, the worker says so and the pool falls back to a marker
 * in the environment (docs/workers.md, "No descendant escapes").
 */
import { runtime } from "../../runtime.ts";

const PR_SET_CHILD_SUBREAPER = 36;

type Prctl = (option: number, arg: bigint) => number;

function denoPrctl(): Prctl | undefined {
  const deno = (globalThis as unknown as {
    Deno: {
      permissions: { querySync(d: { name: string }): { state: string } };
      dlopen(
        path: string,
        symbols: Record<string, { parameters: string[]; result: string }>,
      ): { symbols: { prctl(...args: unknown[]): number } };
    };
  }).Deno;
  // Asking would prompt on a terminal; a worker never asks.
  if (deno.permissions.querySync({ name: "ffi" }).state !== "granted") {
    return undefined;
  }
  const lib = deno.dlopen("libc.so.6", {
    prctl: { parameters: ["i32", "u64", "u64", "u64", "u64"], result: "i32" },
  });
  return (option, arg) => lib.symbols.prctl(option, arg, 0n, 0n, 0n);
}

function bunPrctl(): Prctl {
  // Through getBuiltinModule, as the Bun meter loads bun:jsc: an import()
  // of it would not type-check elsewhere, and `deno publish` warns about an
  // import() it cannot analyze.
  // deno-lint-ignore no-explicit-any
  const { dlopen, FFIType } = process.getBuiltinModule("bun:ffi") as any;
  const lib = dlopen("libc.so.6", {
    prctl: {
      args: [FFIType.i32, FFIType.u64, FFIType.u64, FFIType.u64, FFIType.u64],
      returns: FFIType.i32,
    },
  });
  return (option, arg) => lib.symbols.prctl(option, arg, 0n, 0n, 0n);
}

function nodePrctl(): Prctl | undefined {
  const getBuiltin = (process as unknown as {
    getBuiltinModule?: (id: string) => unknown;
  }).getBuiltinModule;
  // Node prints an ExperimentalWarning for node:ffi: kept from the user for
  // this call only (a task's own use of it still warns).
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = String(warning);
    if (!/FFI/.test(text)) {
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
      ): { functions: { prctl(...args: unknown[]): number } };
    } | undefined;
    if (!ffi) return undefined; // before Node 26
    const lib = ffi.dlopen("libc.so.6", {
      prctl: { arguments: ["i32", "u64", "u64", "u64", "u64"], return: "i32" },
    });
    return (option, arg) => lib.functions.prctl(option, arg, 0n, 0n, 0n);
  } finally {
    process.emitWarning = emitWarning;
  }
}

/**
 * Makes this process a child subreaper. True if it is one now; false where
 * the platform, the runtime or the permissions do not allow it (never
 * throws).
 */
export function becomeSubreaper(): boolean {
  if (process.platform !== "linux") return false;
  try {
    const prctl = runtime === "deno"
      ? denoPrctl()
      : runtime === "bun"
      ? bunPrctl()
      : nodePrctl();
    return prctl !== undefined && prctl(PR_SET_CHILD_SUBREAPER, 1n) === 0;
  } catch {
    return false; // no libc.so.6, FFI refused, ...
  }
}
