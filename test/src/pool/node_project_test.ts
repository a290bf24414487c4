/**
 * The pool as a Node user runs it: a fresh project outside the checkout
 * (its own package.json and working directory), TypeScript task and host
 * files that Node runs as they are, memlimits imported by path. The host's
 * main thread blocks for a while mid-run, as a busy host's would.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isNode, test } from "../../harness.ts";

const memlimits = new URL("../../../mod.ts", import.meta.url).href;

test(
  "pool (node): a fresh Node project's tasks are stopped by memoryLimit and timeout, its host lives",
  () => {
    const dir = mkdtempSync(join(tmpdir(), "memlimits-node-project-"));
    try {
      writeFileSync(
        join(dir, "package.json"),
        JSON.stringify({ name: "user-project", type: "module" }),
      );
      writeFileSync(
        join(dir, "tasks.ts"),
        `export function add(a: number, b: number): number { return a + b; }
export function bomb(): never {
  const kept: number[][] = [];
  for (let i = 0;; i++) kept.push([i, i + 1]);
}
export function spin(): never { for (;;) {} }
`,
      );
      writeFileSync(
        join(dir, "host.ts"),
        `import { MiB, WorkerPool } from ${JSON.stringify(memlimits)};
const pool = new WorkerPool(new URL("./tasks.ts", import.meta.url), {
  size: 1,
  memoryLimit: 128 * MiB,
});
const bomb = pool.run("bomb", []);
const blockedUntil = Date.now() + 300; // a host busy in its own work
while (Date.now() < blockedUntil) {}
const b = await bomb;
const s = await pool.run("spin", [], { timeout: 200 });
const a = await pool.run<number>("add", [2, 3]);
await pool.close();
console.log(JSON.stringify({
  bomb: b.ok ? "ok" : b.error.kind,
  spin: s.ok ? "ok" : s.error.kind,
  add: a.ok ? a.value : a.error.message,
}));
`,
      );
      const child = spawnSync(process.execPath, ["host.ts"], {
        cwd: dir,
        encoding: "utf8",
        timeout: 60_000,
      });
      assert.equal(child.status, 0, child.stderr);
      assert.deepEqual(JSON.parse(child.stdout), {
        bomb: "memory",
        spin: "timeout",
        add: 5,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
  { skip: !isNode },
);
