/**
 * The pool benchmark's baseline peer: answers every message with itself,
 * over the same channel a pool worker uses (a child process's IPC channel with
 * structured-clone serialization), or over `parentPort` when started as a
 * `node:worker_threads` thread.
 */
import { parentPort } from "node:worker_threads";

if (parentPort) {
  const port = parentPort;
  port.on("message", (message) => port.postMessage(message));
} else {
  process.on("message", (message) => process.send!(message));
  process.on("disconnect", () => process.exit(0));
  process.send!("ready");
}
