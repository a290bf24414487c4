/**
 * Task module for bench/worker_start.ts. It imports nothing (the pool tests'
 * fixtures import the root mod.ts), so that what a worker loads is the
 * runtime's and the pool's own.
 */
export function one(): number {
  return 1;
}

/** Never settles: the benchmark stops it to have its worker replaced. */
export function never(): Promise<never> {
  return new Promise(() => {});
}
