/**
 * The /proc parsers the watchdog, the host and the workers share, on real
 * processes: a stat line whose command holds spaces and parentheses, CPU
 * ticks against the process's own getrusage, VmHWM against the status text.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "../../../harness.ts";
import {
  highWaterMarkOf,
  parseStat,
  readProcFile,
  readProcText,
} from "../../../../src/pool/linux/proc_fields.ts";
import { peakBytesOf } from "../../../../src/pool/linux/process_tree.ts";
import { isStopped } from "../../../../src/pool/linux/signals.ts";
import { eventually, residentBytes } from "../helpers.ts";

const statOf = (pid: number) => parseStat(readProcText(`/proc/${pid}/stat`)!);

test("proc fields: a process whose command holds ') R 1 (' is read as sleeping, then stopped", async () => {
  // The command (field 2) is the executable's name: a link to `sleep`
  // whose name looks like the fields that follow it.
  const dir = mkdtempSync(join(tmpdir(), "memlimits-proc-fields-"));
  const name = join(dir, "x) R 1 (y");
  symlinkSync("/bin/sleep", name);
  const child = spawn(name, ["30"], { stdio: "ignore" });
  const ended = new Promise((resolve) => child.once("exit", resolve));
  try {
    const pid = child.pid!;
    assert.ok(
      await eventually(() =>
        readProcText(`/proc/${pid}/stat`)?.includes("(x) R 1 (y)") ?? false
      ),
      "the link's name is the command",
    );
    assert.ok(await eventually(() => statOf(pid)?.state === "S"));
    const sleeping = statOf(pid)!;
    assert.equal(sleeping.childrenMs, 0, "sleep waited for no child");
    assert.ok(
      sleeping.ownMs >= 0 && sleeping.ownMs < 1000,
      `${sleeping.ownMs} ms`,
    );
    process.kill(pid, "SIGSTOP");
    assert.ok(await eventually(() => statOf(pid)?.state === "T"));
    assert.equal(isStopped(pid), true);
  } finally {
    child.kill("SIGKILL");
    await ended;
    rmSync(dir, { recursive: true, force: true });
  }
});

test("proc fields: the stat line's CPU ticks agree with the process's own getrusage to a few ticks", () => {
  const ticks0 = statOf(process.pid)!.ownMs;
  const cpu0 = process.cpuUsage();
  const usedMs = () => {
    const { user, system } = process.cpuUsage(cpu0);
    return (user + system) / 1000;
  };
  // 300 ms of CPU, however long a busy machine takes to give them.
  const until = performance.now() + 30_000;
  while (usedMs() < 300 && performance.now() < until) { /* spin */ }
  const ticks = statOf(process.pid)!.ownMs - ticks0;
  const rusageMs = usedMs();
  assert.ok(rusageMs >= 300, `the spin used ${rusageMs} ms of CPU`);
  // Ticks are 10 ms; the two clocks are read a moment apart.
  assert.ok(
    Math.abs(ticks - rusageMs) <= 30,
    `ticks ${ticks} ms, getrusage ${rusageMs.toFixed(1)} ms`,
  );
});

test("proc fields: VmHWM from the bytes of /proc/PID/status, as the text says; NaN without the line", () => {
  const bytes = readProcFile("/proc/self/status")!;
  const text = new TextDecoder().decode(bytes);
  const kb = Number(/^VmHWM:\s+(\d+) kB$/m.exec(text)![1]);
  assert.equal(highWaterMarkOf(bytes, bytes.length), kb * 1024);
  assert.ok(kb * 1024 >= residentBytes("self") / 2, "a mark of this process");
  const cut = text.indexOf("VmHWM:");
  assert.ok(Number.isNaN(highWaterMarkOf(bytes, cut)), "the line cut off");
});

test("proc fields: a process that is gone has no stat, no peak, and is not stopped", async () => {
  const child = spawn("true", [], { stdio: "ignore" });
  await new Promise((resolve) => child.once("exit", resolve));
  const pid = child.pid!;
  assert.ok(
    await eventually(() => readProcFile(`/proc/${pid}/stat`) === undefined),
  );
  assert.equal(readProcText(`/proc/${pid}/stat`), undefined);
  assert.equal(peakBytesOf(pid), undefined);
  assert.equal(isStopped(pid), false);
});
