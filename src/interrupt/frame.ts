/**
 * A frame is one pending call of a limit function: the task it runs, the
 * signal that task received, and whether this limit instance was reached.
 * Frames form a tree that follows the nesting of limit calls, so an interrupt
 * reaching an outer frame also aborts the signals of the frames inside it.
 */
import type { LimitExceeded } from "../limit_exceeded.ts";

/** Called when a frame is first interrupted (the checkpoint fast path must stop skipping). */
let onInterrupt: () => void = () => {};

/** Number of pending frames that were interrupted; checkpoint() takes its slow path while > 0. */
export let interruptedFrames = 0;

/** Lets the checkpoint module know when an interrupt arises. */
export function setOnInterrupt(callback: () => void): void {
  onInterrupt = callback;
}

/** One pending limited call. */
export class Frame {
  readonly parent: Frame | undefined;
  readonly #controller = new AbortController();
  readonly #children = new Set<Frame>();
  #interrupt: LimitExceeded | undefined;
  #settled = false;

  constructor(parent: Frame | undefined) {
    this.parent = parent;
    if (parent) {
      parent.#children.add(this);
      const inherited = parent.signal.aborted
        ? parent.signal.reason
        : undefined;
      if (inherited !== undefined) this.#controller.abort(inherited);
    }
  }

  /** The signal passed to the task; aborts when this limit or an enclosing one is reached. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** The interrupt of this limit instance, if it was reached. */
  get interrupt(): LimitExceeded | undefined {
    return this.#interrupt;
  }

  /** Marks this limit as reached (first time only) and aborts this frame's and inner frames' signals. */
  reach(interrupt: LimitExceeded): void {
    if (this.#interrupt !== undefined || this.#settled) return;
    this.#interrupt = interrupt;
    interruptedFrames += 1;
    this.#abortTree(interrupt);
    onInterrupt();
  }

  #abortTree(reason: LimitExceeded): void {
    if (!this.#controller.signal.aborted) this.#controller.abort(reason);
    for (const child of this.#children) child.#abortTree(reason);
  }

  /**
   * The interrupt a checkpoint in this frame must throw: the outermost reached
   * limit around it whose task is still pending. Settled frames are skipped:
   * code a task left running (a timer, an unawaited promise) keeps its
   * context, but its interrupt must not arise there at some sampled calls
   * and not at others (its signal stays aborted).
   */
  pendingInterrupt(): LimitExceeded | undefined {
    let found = this.#settled ? undefined : this.#interrupt;
    for (let frame = this.parent; frame; frame = frame.parent) {
      if (!frame.#settled && frame.#interrupt !== undefined) {
        found = frame.#interrupt;
      }
    }
    return found;
  }

  /** The outermost reached limit strictly around this frame. */
  enclosingInterrupt(): LimitExceeded | undefined {
    return this.parent?.pendingInterrupt();
  }

  /** Detaches the frame once its task settled; later interrupts no longer concern it. */
  settle(): void {
    if (this.#settled) return;
    this.#settled = true;
    if (this.#interrupt !== undefined) interruptedFrames -= 1;
    if (this.parent) this.parent.#children.delete(this);
  }
}
