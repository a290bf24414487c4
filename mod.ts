/**
 * memlimits: memory limits, allocation limits and cancellation for tasks on
 * Deno, Bun and Node.
 *
 * @example
 * ```ts
 * import { limitAllocations, MiB, start } from "memlimits";
 * using _engine = start();
 * const r = await limitAllocations(() => "x".repeat(10), { limit: 64 * MiB });
 * console.log(r); // { ok: true, value: "xxxxxxxxxx", usage: { wallMs, allocated }, allocated }
 * ```
 *
 * @module
 */
export {
  type Engine,
  type EngineOptions,
  isStarted,
  start,
  stop,
} from "./src/engine/start.ts";
export {
  type GlobalMemoryLimitOptions,
  limitGlobalMemory,
  type MemoryMeasure,
  setGlobalMemoryLimit,
} from "./src/limits/global_memory.ts";
export {
  type AllocationLimitOptions,
  type AllocationResult,
  limitAllocations,
} from "./src/limits/allocations.ts";
export { limitWithToken, type TokenLimitOptions } from "./src/limits/token.ts";
export { checkpoint, isInterrupted } from "./src/interrupt/checkpoint.ts";
export { type Resource, withResource } from "./src/interrupt/with_resource.ts";
export { LimitExceeded, type LimitKind } from "./src/limit_exceeded.ts";
export type { Result, Task } from "./src/result.ts";
export type { PoolResult, PoolUsage, Usage, UsageResult } from "./src/usage.ts";
export { Token } from "./src/token.ts";
export { GiB, KiB, MiB } from "./src/units.ts";
export { WorkerPool } from "./src/pool/worker_pool.ts";
export type {
  CloseOptions,
  RunLimits,
  WorkerPoolOptions,
} from "./src/pool/pool_options.ts";
export { QueueFullError } from "./src/pool/queue/queue_full_error.ts";
export { PoolEventTarget } from "./src/pool/observe/pool_event_target.ts";
export type {
  RunOutcome,
  SettledDetail,
  WorkerExitDetail,
  WorkerExitReason,
  WorkerPoolEventMap,
} from "./src/pool/observe/pool_events.ts";
export type { PoolStats } from "./src/pool/observe/pool_stats.ts";
export type { Distribution } from "./src/pool/observe/histogram.ts";
export type {
  TaskArgs,
  TaskModule,
  TaskName,
  TaskValue,
} from "./src/pool/task_types.ts";
export type {
  WorkerPermissions,
  WorkerPermissionsObject,
  WorkerPermissionValue,
} from "./src/pool/spawn/permissions.ts";
