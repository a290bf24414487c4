// Child process for subreaper_test.ts: a host whose task starts a daemon
// (setsid), then exits with the pool open. Prints the daemon's pid first.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WorkerPool } from "../../../../src/pool/worker_pool.ts";

const dir = mkdtempSync(join(tmpdir(), "memlimits-daemon-host-"));
const pool = new WorkerPool(
  new URL("../fixtures/descendant_tasks.ts", import.meta.url),
  { size: 1 },
);
const r = await pool.run("startDaemon", [0, join(dir, "pid")]);
rmSync(dir, { recursive: true, force: true });
console.log(String(r.ok ? r.value : 0)); // a string: Deno may colour a number
process.exit(0);
