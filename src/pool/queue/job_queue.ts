/**
 * The runs waiting for a worker, first in first out, with the pool's bound
 * (`maxQueue`) and a call when the queue becomes empty (the `"drain"`
 * event).
 */
import type { Job } from "../job.ts";

export class JobQueue {
  readonly #jobs: Job[] = [];
  /** Runs that may wait (Infinity: unbounded). */
  readonly max: number;
  /** Called when the queue becomes empty (not when it was empty already). */
  onDrain: () => void = () => {};

  constructor(max: number) {
    this.max = max;
  }

  /** Runs waiting. */
  get length(): number {
    return this.#jobs.length;
  }

  /** Whether `max` runs wait already. */
  get full(): boolean {
    return this.#jobs.length >= this.max;
  }

  /** Queues `job` last. */
  push(job: Job): void {
    this.#jobs.push(job);
  }

  /** Puts back `job`, taken by `shift()`, to be first again. */
  unshift(job: Job): void {
    this.#jobs.unshift(job);
  }

  /**
   * Puts back `job`, which was taken from the queue earlier, in the place of
   * its `run()` call among the runs that wait (they are in the order of
   * their ids).
   */
  putBack(job: Job): void {
    const i = this.#jobs.findIndex((waiting) => waiting.id > job.id);
    if (i < 0) this.#jobs.push(job);
    else this.#jobs.splice(i, 0, job);
  }

  /** Takes the run that waited longest. */
  shift(): Job | undefined {
    const job = this.#jobs.shift();
    if (job !== undefined && this.#jobs.length === 0) this.onDrain();
    return job;
  }

  /** Takes `job` out, wherever it is; whether it was there. */
  remove(job: Job): boolean {
    const i = this.#jobs.indexOf(job);
    if (i < 0) return false;
    this.#jobs.splice(i, 1);
    if (this.#jobs.length === 0) this.onDrain();
    return true;
  }

  /** Takes every run out, in order. */
  takeAll(): Job[] {
    const jobs = this.#jobs.splice(0);
    if (jobs.length > 0) this.onDrain();
    return jobs;
  }
}
