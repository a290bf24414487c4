/**
 * Which runtime this is, and the few things of Deno's namespace that other
 * modules need. Every runtime difference outside the meters and the worker's
 * command line asks here, so that a runtime is detected in one way only.
 */

/** The runtimes memlimits runs on. */
export type Runtime = "deno" | "bun" | "node";

/** The runtime this code runs on: Bun and Deno by their globals, else Node. */
export const runtime: Runtime = "Bun" in globalThis
  ? "bun"
  : "Deno" in globalThis
  ? "deno"
  : "node";

/** A permission as Deno's `permissions.querySync` reports it. */
export interface DenoPermissionStatus {
  state: "granted" | "denied" | "prompt";
  partial?: boolean;
}

/** A permission descriptor: its name and, optionally, what it is for. */
export interface PermissionDescriptor {
  name: string;
  [field: string]: string;
}

/** The parts of the `Deno` namespace memlimits uses (absent on Bun and Node). */
export interface DenoNamespace {
  mainModule: string;
  execPath(): string;
  permissions: {
    querySync(descriptor: PermissionDescriptor): DenoPermissionStatus;
  };
}

/** `globalThis.Deno`, or undefined on Bun and Node. */
export function denoNamespace(): DenoNamespace | undefined {
  return (globalThis as unknown as { Deno?: DenoNamespace }).Deno;
}

/**
 * Whether Deno grants `descriptor` without asking. `querySync` itself never
 * prompts, but the operation it stands for would, on a terminal, for every
 * worker: where it is not granted the caller does without it. True on Bun
 * and Node, which have no such prompts. `deno` is the namespace to ask
 * (tests pass a stand-in).
 */
export function grantedWithoutAsking(
  descriptor: PermissionDescriptor,
  deno: DenoNamespace | undefined = denoNamespace(),
): boolean {
  return !deno || deno.permissions.querySync(descriptor).state === "granted";
}
