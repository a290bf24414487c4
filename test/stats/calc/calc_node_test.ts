// The npm package's `bin` runs the calculator on Node, which (before Node 22.18)
// cannot run TypeScript: the calculator bundled to one JavaScript file must
// run on the `node` found on PATH (Node 20 on this machine). Under Deno, whose
// `deno bundle` compiles it; skipped where no node is on PATH.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { isDeno, test } from "../../harness.ts";
import { root } from "./calc_run.ts";

const node = spawnSync("node", ["--version"], { encoding: "utf8" });
const hasNode = node.status === 0;

test(
  `the bundled calculator runs on node ${
    hasNode ? node.stdout.trim() : "(none)"
  }: overshoot, observed from stdin, bad input`,
  () => {
    const dir = mkdtempSync(join(tmpdir(), "memlimits-calc-node-"));
    try {
      const bundle = join(dir, "calc.mjs");
      const built = spawnSync(process.execPath, [
        "bundle",
        "--quiet",
        "--platform",
        "node",
        join(root, "stats", "calc", "main.ts"),
        "-o",
        bundle,
      ], { cwd: root, encoding: "utf8" });
      assert.equal(built.status, 0, built.stderr);
      const run = (input: string, ...args: string[]) =>
        spawnSync("node", [bundle, ...args], { encoding: "utf8", input });
      const overshoot = run(
        "",
        "overshoot",
        "--alloc-rate",
        "100MiB/s",
        "--target",
        "1e-9",
        "--json",
      );
      assert.equal(overshoot.status, 0, overshoot.stderr);
      assert.equal(JSON.parse(overshoot.stdout).overshoot.bytes, 21729909);
      const lines = Array.from(
        { length: 1000 },
        (_, i) => JSON.stringify({ peakMemory: i + 1 }),
      );
      const observed = run(
        lines.join("\n"),
        "observed",
        "--from",
        "-",
        "--field",
        "peakMemory",
        "--target",
        "0.01",
        "--json",
      );
      assert.equal(observed.status, 0, observed.stderr);
      assert.equal(JSON.parse(observed.stdout).limit, 996);
      const bad = run("", "observed", "--from", "-", "--target", "2");
      assert.equal(bad.status, 2);
      assert.equal(bad.stdout, "");
      assert.match(
        bad.stderr,
        /^calc: --target: expected a probability strictly between 0 and 1, e\.g\. 1e-9, got "2"\n$/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
  { skip: !isDeno || !hasNode },
);
