/**
 * ProcFileReader: one /proc file read again and again through one open file,
 * checked against the file as readFileSync reads it, and against a process
 * that ends while its file is open.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { isDeno, test } from "../../../harness.ts";
import { ProcFileReader } from "../../../../src/pool/linux/proc_file_reader.ts";
import { eventually, processExists } from "../helpers.ts";

test("ProcFileReader: each reading is the file as it is now, in the same buffer", () => {
  const environ = readFileSync("/proc/self/environ");
  const reader = new ProcFileReader("/proc/self/environ", environ.length + 64);
  try {
    const bytes = reader.bytes;
    const n = reader.read();
    assert.equal(n, environ.length);
    assert.deepEqual(bytes.subarray(0, n), new Uint8Array(environ));
    assert.equal(reader.text(), environ.toString("utf8"));
    // statm changes as pages come and go; each reading sees it anew.
    const statm = new ProcFileReader("/proc/self/statm", 128);
    try {
      const before = Number(statm.text()!.split(" ")[1]);
      const held = new Uint8Array(64 * 2 ** 20).fill(1);
      const after = Number(statm.text()!.split(" ")[1]);
      assert.ok(
        after - before >= 0.9 * held.length / 4096,
        `resident pages ${before} then ${after} with 64 MiB more held`,
      );
      assert.equal(held[held.length - 1], 1);
    } finally {
      statm.close();
    }
    assert.equal(reader.bytes, bytes, "one buffer for every reading");
  } finally {
    reader.close();
  }
});

test("ProcFileReader: at most `size` bytes; a file that cannot be opened, and a closed reader, read as undefined", () => {
  const short = new ProcFileReader("/proc/self/environ", 4);
  assert.equal(short.read(), 4);
  assert.equal(
    short.text(),
    readFileSync("/proc/self/environ", "latin1").slice(0, 4),
  );
  short.close();
  assert.equal(short.read(), undefined);
  assert.equal(short.text(), undefined);
  short.close(); // idempotent
  const missing = new ProcFileReader("/proc/no-such-file", 16);
  assert.equal(missing.read(), undefined);
  assert.equal(missing.text(), undefined);
  missing.close();
});

test("ProcFileReader: the file of a process that ended reads as undefined", async () => {
  const child = spawn("sleep", ["30"], { stdio: "ignore" });
  const exited = new Promise((r) => child.once("exit", r));
  const stat = new ProcFileReader(`/proc/${child.pid}/stat`, 1024);
  try {
    assert.match(stat.text()!, new RegExp(`^${child.pid} \\(sleep\\) `));
    child.kill("SIGKILL");
    await exited;
    assert.ok(await eventually(() => !processExists(child.pid!)));
    assert.equal(stat.read(), undefined);
  } finally {
    stat.close();
  }
});

test("ProcFileReader: a file it could not open for want of a descriptor is opened at a later reading", () => {
  // A process allowed 256 descriptors takes them all (fd_exhaustion_script.ts).
  const script = new URL("./fd_exhaustion_script.ts", import.meta.url).pathname;
  const runtime = isDeno
    ? [Deno.execPath(), "run", "-A", "--no-check", script]
    : [process.execPath, script];
  const child = spawnSync(
    "sh",
    ["-c", 'ulimit -n 256 && exec "$@"', "sh", ...runtime],
    { timeout: 20_000 },
  );
  assert.equal(child.status, 0, String(child.stderr));
  const { code, starved, after } = JSON.parse(String(child.stdout));
  assert.equal(code, "EMFILE");
  assert.equal(starved, null, "no descriptor left: nothing read");
  assert.ok(after > 0, `read ${after} bytes once descriptors were free`);
});
