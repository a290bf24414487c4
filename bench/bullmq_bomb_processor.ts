/**
 * BullMQ's sandboxed processor (a processor file) of bullmq_bombs.ts: the
 * test's mixed jobs, run in a child process that BullMQ starts.
 */
import { mixed } from "../test/src/bullmq/fixtures/queue_tasks.ts";

export default function (
  job: {
    id?: string;
    name: string;
    data: { kind: string; n?: number };
    attemptsMade: number;
  },
): unknown {
  return mixed(job.data, {
    id: job.id,
    name: job.name,
    attemptsMade: job.attemptsMade,
  });
}
