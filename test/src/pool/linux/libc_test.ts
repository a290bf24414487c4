/**
 * libc through each runtime's FFI (linux/libc.ts): the children's CPU time
 * from `getrusage(RUSAGE_CHILDREN)` against what a shell it waited for
 * reports of itself, and against /proc/self/stat, which the kernel keeps
 * apart from getrusage's buffer.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { isNode, test } from "../../../harness.ts";
import { libc } from "../../../../src/pool/linux/libc.ts";
import { WaitedChildren } from "../../../../src/pool/linux/cpu_time.ts";
import {
  MS_PER_TICK,
  parseStat,
  readProcText,
} from "../../../../src/pool/linux/proc_fields.ts";

/** A shell that counts to `n`, then reports its own CPU time (`times`), ms. */
function shellCpuMs(n: number): number {
  const out = spawnSync("sh", [
    "-c",
    `i=0; while [ $i -lt ${n} ]; do i=$((i+1)); done; times`,
  ], { encoding: "utf8" }).stdout;
  // `times`: "0m0.51s 0m0.01s" for the shell itself, then its children.
  return [...out.split("\n")[0].matchAll(/(\d+)m([\d.]+)s/g)]
    .map((m) => (Number(m[1]) * 60 + Number(m[2])) * 1000)
    .reduce((a, b) => a + b, 0);
}

// Opened before the tests: the binding lives as long as the process (Deno's
// sanitizer would count a library a test loads and does not close).
const opened = libc();

const childrenMsFromProc = () =>
  parseStat(readProcText("/proc/self/stat")!)!.childrenMs;

test("libc: opens on Linux through the runtime's FFI, once", () => {
  assert.ok(opened, "libc.so.6 through FFI (Deno under -A, Bun, Node 26)");
  assert.equal(libc(), opened, "the same binding on every call");
});

test("libc: childrenCpuUs counts a shell the process waited for, to the µs, as /proc/self/stat does to the tick", () => {
  const c = libc()!;
  const before = c.childrenCpuUs()!;
  const procBefore = childrenMsFromProc();
  const shell = shellCpuMs(300_000);
  const grew = (c.childrenCpuUs()! - before) / 1000;
  const procGrew = childrenMsFromProc() - procBefore;
  assert.ok(shell >= 100, `the shell used only ${shell} ms`);
  // `times` reports to 10 ms; getrusage also counts the shell's exec.
  assert.ok(
    grew >= shell - MS_PER_TICK && grew <= shell + 2 * MS_PER_TICK,
    `getrusage grew ${grew} ms for a shell's ${shell} ms`,
  );
  assert.ok(
    Math.abs(grew - procGrew) <= 2 * MS_PER_TICK,
    `getrusage grew ${grew} ms, /proc/self/stat ${procGrew} ms`,
  );
  assert.ok(!Number.isInteger(grew / MS_PER_TICK), "not whole ticks");
});

test("WaitedChildren: reads the children's clock through libc, and keeps the last reading", () => {
  const waited = new WaitedChildren();
  const first = waited.last;
  const shell = shellCpuMs(200_000);
  const now = waited.ms();
  assert.equal(waited.last, now);
  assert.ok(now - first >= shell - MS_PER_TICK, `${now - first} < ${shell}`);
  assert.ok(
    Math.abs(now - libc()!.childrenCpuUs()! / 1000) < 1,
    "the same clock as libc's",
  );
});

test(
  "WaitedChildren: where FFI is refused (Node's --permission), reads /proc/self/stat to the tick",
  () => {
    const script = new URL("../fixtures/waited_children.ts", import.meta.url);
    const child = spawnSync(process.execPath, [
      "--permission",
      "--allow-fs-read=*",
      "--allow-child-process",
      script.pathname,
    ], { encoding: "utf8", timeout: 20_000 });
    assert.equal(child.status, 0, child.stderr);
    const { libc: opened, grewMs, shellMs } = JSON.parse(
      child.stdout.trim().split("\n").at(-1)!,
    );
    assert.equal(opened, false, "node:ffi is refused without --allow-ffi");
    assert.ok(shellMs >= 100, `the shell used only ${shellMs} ms`);
    assert.ok(
      grewMs >= shellMs - MS_PER_TICK && grewMs <= shellMs + 2 * MS_PER_TICK,
      `/proc grew ${grewMs} ms for a shell's ${shellMs} ms`,
    );
    assert.ok(Number.isInteger(grewMs / MS_PER_TICK), "whole ticks");
  },
  { skip: !isNode },
);
