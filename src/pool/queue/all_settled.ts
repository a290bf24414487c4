/**
 * Waiting for a pool to have no run queued or running, for a graceful
 * `close({ timeout })`: each wait ends then, or after its timeout.
 */
export class AllSettled {
  readonly #waiting = new Set<() => void>();

  /**
   * Resolves once `settled()` is called with nothing pending, or after
   * `timeout` ms; at once if `pending` is 0.
   */
  wait(pending: number, timeout: number): Promise<void> {
    if (pending === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = timeout === Infinity
        ? undefined
        : setTimeout(() => done(), timeout);
      const done = () => {
        clearTimeout(timer);
        this.#waiting.delete(done);
        resolve();
      };
      this.#waiting.add(done);
    });
  }

  /** A run settled and `pending` runs are left (queued or running). */
  settled(pending: number): void {
    if (this.#waiting.size === 0 || pending > 0) return;
    for (const done of [...this.#waiting]) done();
  }
}
