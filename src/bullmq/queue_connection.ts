/**
 * The Redis connection a BullMQ Worker's jobs are completed through, as
 * `processor()` sees it from a job (`job.queue`): what lets a usage line
 * and the job's completion leave in one write.
 */

/** The part of a Node socket that holds writes back. */
interface Corkable {
  cork(): void;
  uncork(): void;
}

/**
 * A queue's connection. Where the client is ioredis (BullMQ's default),
 * its socket is its `stream`; node-redis and Bun's own `RedisClient`, which
 * BullMQ also takes, show none, and their writes are left as they are.
 */
export class QueueConnection {
  readonly #client: { stream?: Partial<Corkable> } | undefined;

  private constructor(client: unknown) {
    this.#client = typeof client === "object" && client !== null
      ? client
      : undefined;
  }

  /**
   * The connection of `queue` (BullMQ's `job.queue`: the Worker), through
   * `queue.backend.client`, BullMQ's way to its Redis client; one without
   * a socket to hold where it has none or cannot be had.
   */
  static async of(queue: object): Promise<QueueConnection> {
    try {
      const backend = (queue as { backend?: { client?: unknown } }).backend;
      return new QueueConnection(await backend?.client);
    } catch {
      return new QueueConnection(undefined);
    }
  }

  /**
   * Holds what is written to the connection from now until the current
   * tick's microtasks have run, then sends it in one write. BullMQ sends a
   * job's completion in the microtasks that follow its processor's return,
   * so a line sent just before goes out with it: Redis reads, runs and
   * answers both at once, as it would the completion alone (a Redis read
   * less per job; bench/RESULTS.md). Writes are held, never reordered.
   */
  holdWritesForTick(): void {
    // Read each time: ioredis makes a new socket when it reconnects.
    const socket = this.#client?.stream;
    if (
      typeof socket?.cork !== "function" || typeof socket.uncork !== "function"
    ) return;
    const held = socket as Corkable;
    held.cork();
    process.nextTick(() => held.uncork());
  }
}
