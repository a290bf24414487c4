/**
 * What the watchdog thread (watchdog.thread.ts) keeps of one worker it
 * watches: its readers of the worker's tree, CPU clock and run beacon, each
 * opened on first use for that worker's pid and closed together once the
 * worker is gone or its slot has another.
 */
import { CpuClock } from "../linux/cpu_time.ts";
import { TreeSampler } from "../linux/process_tree.ts";
import { BeaconReader } from "../wire/run_beacon.ts";

export class WatchedWorker {
  readonly pid: number;
  #sampler: TreeSampler | undefined;
  #clock: CpuClock | undefined;
  /** Its beacon's reader; null once it could not be opened. */
  #beacon: BeaconReader | null | undefined;
  /** The job the clock counts for (0: none yet). */
  clockJob = 0;
  /**
   * Whether the clock holds a start read while the worker was idle and
   * ready, with the slot's `runs()` at that moment: the next job's CPU
   * counts from there, not from the watchdog's first sight of it, which on
   * a loaded machine can come tens of ms after the job started.
   */
  idleStart = false;
  idleStartRuns = 0;
  /** Samples taken, for the CPU time read every few of them without a cpuLimit. */
  samples = 0;
  /** Its tree's bytes at the last sample, and when it was last looked at for a freeze (epoch ms). */
  lastBytes = 0;
  freezeLookedAt = 0;

  constructor(pid: number) {
    this.pid = pid;
  }

  /** The sampler of the worker's tree (resident memory, descendants). */
  get sampler(): TreeSampler {
    return this.#sampler ??= new TreeSampler(this.pid);
  }

  /** The worker's CPU clock. */
  get clock(): CpuClock {
    return this.#clock ??= new CpuClock(this.pid);
  }

  /** The worker's descendants at the sampler's last scan (none before one). */
  get descendants(): readonly number[] {
    return this.#sampler?.descendants ?? [];
  }

  /**
   * The tag its run beacon shows (wire/run_beacon.ts), opened through the
   * worker's descriptor `fd` (-1: none) by this thread (on Deno a
   * descriptor is only valid in the thread that opened it); NaN without a
   * beacon.
   */
  beaconTag(fd: number): number {
    if (this.#beacon === undefined) {
      this.#beacon = (fd < 0 ? undefined : BeaconReader.open(this.pid, fd)) ??
        null;
    }
    return this.#beacon?.tag() ?? NaN;
  }

  /** Closes what it opened. */
  close(): void {
    this.#sampler?.close();
    this.#clock?.close();
    this.#beacon?.close();
  }
}
