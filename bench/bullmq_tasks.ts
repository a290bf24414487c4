/**
 * The job of the BullMQ benches (bullmq_bench.ts): about `ms` of CPU. Its
 * default export is BullMQ's sandboxed processor (a processor file); `busy`
 * is the same work as a memlimits task and an in-process processor.
 */

/** Spins for `data.ms` milliseconds and returns how many. */
export function busy(data: { ms: number }): number {
  const end = performance.now() + data.ms;
  while (performance.now() < end) {
    // busy
  }
  return data.ms;
}

/** BullMQ's sandboxed processor: the job's data to `busy`. */
export default function (job: { data: { ms: number } }): number {
  return busy(job.data);
}
