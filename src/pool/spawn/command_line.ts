/**
 * The command line that starts a worker process: the pool's one runtime
 * difference. Every runtime runs the same entry (`worker/worker.process.ts`) with the
 * task module's URL as its argument.
 *
 * - Deno: `deno run` with the host's configuration (deno_flags.ts), the
 *   worker's permissions (permissions.ts: never more than the host's), and
 *   V8's old-generation cap as a backstop (`--max-old-space-size`) set well
 *   above the memory limit, so that the host's RSS watch fires first. A
 *   worker that hits the cap dies alone (it is a separate process), and the
 *   pool reports it as over its limit. A worker that may not read every
 *   file gets the task module preloaded (`--preload`, part of its initial
 *   module graph, which Deno loads without a read check).
 * - Node: `node worker.process.ts` (Node 25 and later strip the types), with the
 *   same V8 cap as on Deno. A Node worker that hits the cap aborts (SIGABRT)
 *   where a Deno worker traps (SIGTRAP): `isHeapCapExit` tells them apart
 *   from other crashes.
 * - Bun: `bun worker.process.ts`; JavaScriptCore has no heap cap, so the RSS
 *   watch is the only stop.
 */
import { fileURLToPath } from "node:url";
import { type Runtime, runtime } from "../../runtime.ts";
import { nodePermissionFlags } from "./node_permissions.ts";
import { MiB } from "../../units.ts";
import { LOAD_GUARD_PRELOAD, WORKER_PROCESS } from "./entry_points.ts";
import {
  checkDenoConfig,
  denoConfigurationFlags,
  hostCommandLine,
  hostV8Flags,
} from "./deno_flags.ts";
import { checkPoolPermissions } from "./host_permissions.ts";
import {
  currentPermissionHost,
  type WorkerPermissionFlags,
  workerPermissionFlags,
} from "./permissions.ts";

/** What a Deno worker is started with, worked out once per pool. */
export interface DenoWorkerSettings {
  /** Configuration flags: `--config`, `--lock`, `--import-map`, ... */
  config: string[];
  /** Permission flags, and whether the worker may read every file. */
  permissions: WorkerPermissionFlags;
  /** The host's own V8 flags. */
  v8: string[];
}

/**
 * Checks the pool's `denoConfig` and `permissions` options, and that the host
 * holds what the pool needs; returns the Deno workers' settings (undefined on
 * Bun and Node). Throws a TypeError naming a bad option, an Error naming a
 * missing host permission.
 */
export function denoWorkerSettings(
  moduleUrl: string,
  options: { denoConfig?: unknown; permissions?: unknown },
  memoryLimits: boolean,
): DenoWorkerSettings | undefined {
  const permissions = workerPermissionFlags(
    options.permissions,
    moduleUrl,
    currentPermissionHost(),
  );
  const denoConfig = checkDenoConfig(options.denoConfig); // ignored elsewhere
  if (runtime !== "deno" || permissions === undefined) return undefined;
  checkPoolPermissions(memoryLimits);
  return {
    config: denoConfigurationFlags(denoConfig),
    permissions,
    v8: hostV8Flags(hostCommandLine()),
  };
}

/**
 * Node: the worker's permission flags (node_permissions.ts) for the pool's
 * `permissions`; empty elsewhere, and for a host without `--permission`
 * under "inherit".
 */
export function nodeWorkerPermissions(
  moduleUrl: string,
  permissions: unknown,
  memoryLimits: boolean,
): string[] {
  if (runtime !== "node") return [];
  const reads = [fileURLToPath(new URL("../../../", import.meta.url))];
  if (moduleUrl.startsWith("file:")) reads.push(fileURLToPath(moduleUrl));
  if (memoryLimits) reads.push("/proc");
  return nodePermissionFlags(permissions, process, { reads });
}

/** Executable, arguments and environment for one worker process. */
export interface SpawnCommand {
  command: string;
  args: string[];
  /** The process's environment (undefined: the host's). */
  env?: Record<string, string>;
}

/** Executable and arguments for one worker process. */
export function spawnCommand(
  moduleUrl: string,
  heapCapBytes: number | undefined,
  settings: DenoWorkerSettings | undefined = runtime === "deno"
    ? denoWorkerSettings(moduleUrl, {}, false)
    : undefined,
  nodePermissions: readonly string[] = [],
): SpawnCommand {
  return commandLine(
    {
      runtime,
      executable: process.execPath,
      workerProcess: WORKER_PROCESS,
      loadGuard: LOAD_GUARD_PRELOAD,
    },
    moduleUrl,
    heapCapBytes,
    settings,
    nodePermissions,
  );
}

/** What a worker's command line is made of, besides its task module. */
export interface CommandLineParts {
  /** The runtime that will run the worker: the host's own. */
  runtime: Runtime;
  /** Its executable (`process.execPath`). */
  executable: string;
  /** The worker's entry file (`WORKER_PROCESS`). */
  workerProcess: string;
  /** What a Deno worker that may not read every file preloads (`LOAD_GUARD_PRELOAD`). */
  loadGuard: string;
}

/**
 * `spawnCommand` with everything it depends on given: the runtime, the
 * executable and the entry files (tests pass their own).
 */
export function commandLine(
  parts: CommandLineParts,
  moduleUrl: string,
  heapCapBytes: number | undefined,
  settings: DenoWorkerSettings | undefined,
  nodePermissions: readonly string[] = [],
): SpawnCommand {
  const capFlag = heapCapBytes === undefined
    ? undefined
    : `--max-old-space-size=${Math.ceil(heapCapBytes / MiB)}`;
  const command = parts.executable;
  if (parts.runtime === "node") {
    return {
      command,
      args: [
        ...nodePermissions,
        ...(capFlag ? [capFlag] : []),
        parts.workerProcess,
        moduleUrl,
      ],
    };
  }
  if (parts.runtime === "bun" || settings === undefined) {
    return { command, args: [parts.workerProcess, moduleUrl] };
  }
  // Ours last: V8 takes the last value of a flag given twice.
  const v8 = capFlag === undefined ? settings.v8 : [
    ...settings.v8.filter((f) => !f.startsWith("--max-old-space-size")),
    capFlag,
  ];
  const preload = settings.permissions.readsAnyFile
    ? []
    : [`--preload=${parts.loadGuard}`, `--preload=${moduleUrl}`];
  return {
    command,
    args: [
      "run",
      "--quiet",
      "--no-prompt",
      ...settings.config,
      ...settings.permissions.flags,
      ...(v8.length > 0 ? [`--v8-flags=${v8.join(",")}`] : []),
      ...preload,
      parts.workerProcess,
      moduleUrl,
    ],
  };
}

/** The V8 heap cap for a memory limit: twice the limit plus 64 MiB. */
export function heapCapFor(limitBytes: number | undefined): number | undefined {
  return limitBytes === undefined ? undefined : 2 * limitBytes + 64 * MiB;
}

/**
 * Whether a worker process's exit is V8 stopping it at the heap cap: Deno
 * traps (SIGTRAP, or exit code 133 through a shell), Node aborts (SIGABRT,
 * 134). Bun sets no cap, so no Bun exit is one. `on`: the runtime the
 * worker ran on (the host's).
 */
export function isHeapCapExit(
  exit: { code: number | null; signal: string | null },
  on: Runtime = runtime,
): boolean {
  switch (on) {
    case "bun":
      return false;
    case "node":
      return exit.signal === "SIGABRT" || exit.code === 134;
    case "deno":
      return exit.signal === "SIGTRAP" || exit.code === 133;
  }
}
