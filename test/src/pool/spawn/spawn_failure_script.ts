// Child process for worker_process_test.ts: a worker whose command does not
// exist must end (ready rejects with the spawn error, exited resolves)
// instead of hanging or crashing this process. Prints what it saw as JSON.
import { WorkerProcess } from "../../../../src/pool/spawn/worker_process.ts";

const worker = new WorkerProcess("file:///unused.ts", undefined, {
  command: "/nonexistent/runtime",
  args: [],
});
const ready = await worker.ready.then(
  () => "ready",
  (e: Error) => e.message.replace(/: .*ENOENT.*/, ": ENOENT"),
);
const exited = await worker.exited;
console.log(
  JSON.stringify({ ready, exited, resident: worker.residentBytes() ?? null }),
);
