/**
 * The checks of a pool's options and of one run's arguments and limits, done
 * before anything starts or is sent: a TypeError or RangeError naming the
 * parameter and what it accepts.
 */
import {
  type AcceptedKeys,
  checkBytes,
  checkKeys,
  describe,
  isOptionsObject,
} from "../limits/validate.ts";
import { ALLOCATIONS_UNSUPPORTED, currentMeter } from "../meters/mod.ts";
import { Token } from "../token.ts";
import { checkMemoryLimitPermission } from "./spawn/host_permissions.ts";
import { canReadResidentMemory } from "./linux/resident_memory.ts";
import type {
  CloseOptions,
  RunLimits,
  WorkerPoolOptions,
} from "./pool_options.ts";
import { holdsSharedMemory } from "./wire/shared_memory.ts";
import { isPlainPrimitive } from "./wire/plain_primitive.ts";
import { DEFAULT_START_TIMEOUT } from "./spawn/worker_process.ts";
import {
  type DenoWorkerSettings,
  denoWorkerSettings,
  nodeWorkerPermissions,
} from "./spawn/command_line.ts";

const NO_PROC =
  "memory limits need /proc/PID/statm (Linux) to read a worker's resident memory";
const NO_PROC_CPU =
  "CPU limits need /proc/PID/stat (Linux) to read the CPU time of a worker's process tree";

/** A pool's options, checked. */
export interface CheckedPoolOptions {
  moduleUrl: string;
  size: number;
  memoryLimit?: number;
  processMemoryLimit?: number;
  /** The machine's floor of available memory, bytes. */
  minAvailableMemory?: number;
  /** Milliseconds a worker may take to load the task module. */
  startTimeout: number;
  /** Deno: the workers' configuration and permissions. */
  denoWorker?: DenoWorkerSettings;
  /** Runs that may wait (Infinity: unbounded). */
  maxQueue: number;
  /** Workers kept when idle (`size` unless given). */
  minSize: number;
  /** Ms an idle worker above `minSize` lives (Infinity: forever). */
  idleTimeout: number;
  /** Tasks a worker runs before it is replaced (Infinity: never). */
  maxTasksPerWorker: number;
  /** The workers' own environment (undefined: the host's). */
  env?: Record<string, string>;
  /** Node: the workers' permission flags. */
  nodePermissions: string[];
}

const POOL_OPTION_KEYS: AcceptedKeys<WorkerPoolOptions> = {
  size: true,
  memoryLimit: true,
  processMemoryLimit: true,
  minAvailableMemory: true,
  startTimeout: true,
  denoConfig: true,
  permissions: true,
  maxQueue: true,
  minSize: true,
  idleTimeout: true,
  maxTasksPerWorker: true,
  env: true,
};

/** Checks `new WorkerPool(moduleUrl, options)`'s arguments. */
export function checkPoolOptions(
  moduleUrl: unknown,
  options: unknown,
  defaultSize: number,
): CheckedPoolOptions {
  if (!(moduleUrl instanceof URL) && typeof moduleUrl !== "string") {
    throw new TypeError(
      `moduleUrl must be a URL or a string, got ${typeof moduleUrl}`,
    );
  }
  // A path would fail in every worker ("Invalid URL"): refuse it here.
  if (typeof moduleUrl === "string" && !URL.canParse(moduleUrl)) {
    throw new TypeError(
      `moduleUrl must be an absolute URL (e.g. new URL("./tasks.ts", import.meta.url)), got "${moduleUrl}"`,
    );
  }
  if (!isOptionsObject(options)) {
    throw new TypeError(
      `options must be an object, got ${describe(options)}`,
    );
  }
  checkKeys("options", options, POOL_OPTION_KEYS, "a WorkerPool option");
  const o = options as Record<string, unknown>;
  const size = o.size === undefined ? defaultSize : o.size;
  const sizes = "an integer from 1 to 1024";
  if (typeof size !== "number") {
    throw new TypeError(`options.size must be ${sizes}, got ${describe(size)}`);
  }
  if (!Number.isInteger(size) || size < 1 || size > 1024) {
    throw new RangeError(`options.size must be ${sizes}, got ${size}`);
  }
  const memoryLimit = optionalBytes("options.memoryLimit", o.memoryLimit);
  const processMemoryLimit = optionalBytes(
    "options.processMemoryLimit",
    o.processMemoryLimit,
  );
  const startTimeout = optionalMs("options.startTimeout", o.startTimeout) ??
    DEFAULT_START_TIMEOUT;
  const minAvailableMemory = optionalBytes(
    "options.minAvailableMemory",
    o.minAvailableMemory,
  );
  const memoryLimits = memoryLimit !== undefined ||
    processMemoryLimit !== undefined || minAvailableMemory !== undefined;
  // Before the /proc check: on Deno it names the permission that is missing.
  const denoWorker = denoWorkerSettings(String(moduleUrl), o, memoryLimits);
  const nodePermissions = nodeWorkerPermissions(
    String(moduleUrl),
    o.permissions,
    memoryLimits,
  );
  if (memoryLimits && !canReadResidentMemory()) throw new Error(NO_PROC);
  return {
    moduleUrl: String(moduleUrl),
    size,
    memoryLimit,
    processMemoryLimit,
    minAvailableMemory,
    startTimeout,
    denoWorker,
    ...checkElasticOptions(o, size),
    env: checkEnv(o.env),
    nodePermissions,
  };
}

/** The queue bound, the elastic size and the recycling options. */
function checkElasticOptions(o: Record<string, unknown>, size: number) {
  const minSize = count("options.minSize", o.minSize, 0, size) ?? size;
  const idleTimeout = o.idleTimeout === Infinity
    ? Infinity
    : optionalMs("options.idleTimeout", o.idleTimeout) ?? Infinity;
  return {
    maxQueue: count("options.maxQueue", o.maxQueue, 0) ?? Infinity,
    minSize,
    idleTimeout,
    maxTasksPerWorker: count(
      "options.maxTasksPerWorker",
      o.maxTasksPerWorker,
      1,
    ) ?? Infinity,
  };
}

/**
 * An optional count: an integer from `min`, up to the pool's size `max` when
 * given, else Infinity too.
 */
function count(
  name: string,
  value: unknown,
  min: number,
  max?: number,
): number | undefined {
  if (value === undefined) return undefined;
  const range = max === undefined
    ? `an integer from ${min}, or Infinity`
    : `an integer from ${min} to options.size (${max})`;
  if (typeof value !== "number") {
    throw new TypeError(`${name} must be ${range}, got ${describe(value)}`);
  }
  const unbounded = max === undefined && value === Infinity;
  const inRange = Number.isInteger(value) && value >= min &&
    (max === undefined || value <= max);
  if (!unbounded && !inRange) {
    throw new RangeError(`${name} must be ${range}, got ${value}`);
  }
  return value;
}

/** `options.env`: an object of strings, copied (later changes do not count). */
function checkEnv(env: unknown): Record<string, string> | undefined {
  if (env === undefined) return undefined;
  if (!isOptionsObject(env)) {
    throw new TypeError(
      `options.env must be an object of strings, got ${describe(env)}`,
    );
  }
  const copy: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (typeof value !== "string") {
      throw new TypeError(
        `options.env.${key} must be a string, got ${describe(value)}`,
      );
    }
    copy[key] = value;
  }
  return copy;
}

/** Checks `close(options)`; returns its timeout (0: close at once). */
export function checkCloseOptions(options: unknown): number {
  if (options === undefined) return 0;
  if (!isOptionsObject(options)) {
    throw new TypeError(
      `options must be an object or undefined, got ${describe(options)}`,
    );
  }
  checkKeys("options", options, CLOSE_OPTION_KEYS, "a close() option");
  const { timeout } = options as Record<string, unknown>;
  if (timeout === undefined) return 0;
  const range = "a number of milliseconds from 0, or Infinity";
  if (typeof timeout !== "number") {
    throw new TypeError(
      `options.timeout must be ${range}, got ${describe(timeout)}`,
    );
  }
  if (!(timeout >= 0)) {
    throw new RangeError(`options.timeout must be ${range}, got ${timeout}`);
  }
  return timeout;
}

const CLOSE_OPTION_KEYS: AcceptedKeys<CloseOptions> = { timeout: true };

/**
 * Throws a TypeError if the module at `moduleUrl`, whose exported functions
 * are `exports` (undefined: not known yet), does not export `exportName`.
 */
export function checkExport(
  exportName: string,
  exports: Set<string> | undefined,
  moduleUrl: string,
): void {
  if (exports === undefined || exports.has(exportName)) return;
  throw new TypeError(
    `exportName "${exportName}" is not a function exported by ${moduleUrl}; exports: ${
      [...exports].join(", ") || "(none)"
    }`,
  );
}

/** One run's limits, checked. */
export interface CheckedRun {
  memoryLimit?: number;
  allocationLimit?: number;
  timeout?: number;
  cpuLimit?: number;
  signal?: AbortSignal;
}

const RUN_LIMIT_KEYS: AcceptedKeys<RunLimits> = {
  memoryLimit: true,
  allocationLimit: true,
  timeout: true,
  cpuLimit: true,
  signal: true,
  token: true,
};

/**
 * Checks `run(exportName, args, limits)`'s arguments against a pool whose
 * own memory limit is `poolMemoryLimit` (a run may lower it, not raise it).
 */
export function checkRun(
  exportName: unknown,
  args: unknown,
  limits: unknown,
  poolMemoryLimit: number | undefined,
): CheckedRun {
  if (typeof exportName !== "string") {
    throw new TypeError(
      `exportName must be a string, got ${describe(exportName)}`,
    );
  }
  if (!Array.isArray(args)) {
    throw new TypeError(`args must be an array, got ${describe(args)}`);
  }
  if (!isOptionsObject(limits)) {
    throw new TypeError(`limits must be an object, got ${describe(limits)}`);
  }
  checkKeys("limits", limits, RUN_LIMIT_KEYS, "a run limit");
  const l = limits as Record<string, unknown>;
  const memoryLimit = optionalBytes("limits.memoryLimit", l.memoryLimit) ??
    poolMemoryLimit;
  if (poolMemoryLimit !== undefined && memoryLimit! > poolMemoryLimit) {
    throw new RangeError(
      `limits.memoryLimit must be at most the pool's memoryLimit (${poolMemoryLimit}), got ${memoryLimit}`,
    );
  }
  if (memoryLimit !== undefined) checkMemoryLimitPermission();
  if (memoryLimit !== undefined && !canReadResidentMemory()) {
    throw new Error(NO_PROC);
  }
  const allocationLimit = optionalBytes(
    "limits.allocationLimit",
    l.allocationLimit,
  );
  if (allocationLimit !== undefined && !currentMeter().countsAllocations) {
    throw new Error(ALLOCATIONS_UNSUPPORTED);
  }
  const timeout = optionalMs("limits.timeout", l.timeout);
  const cpuLimit = optionalMs("limits.cpuLimit", l.cpuLimit);
  if (cpuLimit !== undefined) {
    checkMemoryLimitPermission("CPU limits");
    if (!canReadResidentMemory()) throw new Error(NO_PROC_CPU);
  }
  if (l.signal !== undefined && !(l.signal instanceof AbortSignal)) {
    throw new TypeError(
      `limits.signal must be an AbortSignal, got ${describe(l.signal)}`,
    );
  }
  if (l.token !== undefined && !(l.token instanceof Token)) {
    throw new TypeError(
      `limits.token must be a Token, got ${describe(l.token)}`,
    );
  }
  if (l.signal && l.token) {
    throw new TypeError("give limits.signal or limits.token, not both");
  }
  // Primitives (but symbols) always cross: most runs make no copy to check.
  // (A clone also copies an array's other own properties.)
  if (
    !args.every(isPlainPrimitive) || Object.keys(args).length !== args.length
  ) {
    try {
      structuredClone(args);
    } catch (error) {
      throw new TypeError(
        `args could not be cloned for the worker: ${(error as Error).message}`,
      );
    }
    const shared = args.findIndex(holdsSharedMemory);
    if (shared >= 0) {
      throw new TypeError(
        `args[${shared}] holds a SharedArrayBuffer: shared memory cannot cross to a worker process (copy it into an ArrayBuffer)`,
      );
    }
  }
  return {
    memoryLimit,
    allocationLimit,
    timeout,
    cpuLimit,
    signal: (l.signal as AbortSignal | undefined) ??
      (l.token as Token | undefined)?.signal,
  };
}

/** A positive finite number of milliseconds (at most 2³¹ − 1, a timer's range). */
function optionalMs(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number") {
    throw new TypeError(
      `${name} must be a number of milliseconds, got ${describe(value)}`,
    );
  }
  if (!(Number.isFinite(value) && value > 0)) {
    throw new RangeError(
      `${name} must be a positive finite number of milliseconds, got ${value}`,
    );
  }
  return Math.min(value, 2 ** 31 - 1);
}

function optionalBytes(name: string, value: unknown): number | undefined {
  return value === undefined ? undefined : checkBytes(name, value);
}
