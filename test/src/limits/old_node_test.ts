/**
 * On a Node without `v8.getHeapStatistics().total_allocated_bytes` (before
 * Node 25; the machine's Node 20), allocation limits are refused with the
 * "not supported on this runtime" error, while the other limits and the
 * statistics work. Node 20 cannot run TypeScript, so the child script is
 * bundled to JavaScript first (`deno bundle`). Runs when the tests run on
 * Node and such a Node is on PATH outside node_modules.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { isNode, test } from "../../harness.ts";
import { ALLOCATIONS_UNSUPPORTED } from "../../../src/meters/mod.ts";
import { V8_ALLOCATIONS_UNSUPPORTED } from "../../../src/meters/v8.ts";

const root = fileURLToPath(new URL("../../../", import.meta.url));

/** The first `node` on PATH, outside node_modules, older than Node 25. */
function oldNode(): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir === "" || dir.includes("node_modules")) continue;
    const candidate = join(dir, "node");
    try {
      accessSync(candidate, constants.X_OK);
    } catch {
      continue;
    }
    const version = spawnSync(candidate, ["--version"], { encoding: "utf8" });
    const major = Number(/^v(\d+)\./.exec(version.stdout ?? "")?.[1]);
    return major < 25 ? candidate : undefined;
  }
  return undefined;
}

const node = isNode ? oldNode() : undefined;

test(
  "limitAllocations: refused on a Node without V8's allocation counter (Node 20, fresh process)",
  () => {
    const dir = mkdtempSync(join(tmpdir(), "memlimits-old-node-"));
    try {
      const bundle = join(dir, "script.mjs");
      const built = spawnSync(join(root, "node_modules/.bin/deno"), [
        "bundle",
        "--quiet",
        "--platform=node",
        "-o",
        bundle,
        fileURLToPath(new URL("./old_node_script.ts", import.meta.url)),
      ], { encoding: "utf8", timeout: 60_000 });
      assert.equal(built.status, 0, built.stderr);
      const child = spawnSync(node!, [bundle], {
        encoding: "utf8",
        timeout: 20_000,
      });
      assert.equal(child.status, 0, child.stderr);
      const seen = JSON.parse(child.stdout);
      assert.match(seen.version, /^v(1\d|2[0-4])\./);
      // I_0.4(2, 3) = P(Binomial(4, 0.4) >= 2) = 0.5248, in closed form.
      assert.ok(Math.abs(seen.ibeta - 0.5248) < 1e-14, String(seen.ibeta));
      assert.deepEqual(seen, {
        version: seen.version,
        meter: "node-v8-no-counter",
        countsAllocations: false,
        refused: V8_ALLOCATIONS_UNSUPPORTED,
        tokenLimitOk: false,
        heapBytesPositive: true,
        ibeta: seen.ibeta,
      });
      assert.match(ALLOCATIONS_UNSUPPORTED, /not supported on this runtime/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
  { skip: node === undefined },
);
