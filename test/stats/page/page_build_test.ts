// The committed page script, docs/calculator/calculator.js, is what the build
// writes today from stats/ (on Deno and on Bun: the bundle must not depend on
// the runtime), and it is a classic script, since browsers refuse module
// scripts from file://.
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "../../harness.ts";
import { buildPage, PAGE_DIR, SCRIPT } from "../../../stats/page/build.ts";

test("the committed docs/calculator/calculator.js is what `deno task docs` builds", async () => {
  const files = await buildPage();
  assert.deepEqual([...files.keys()], [SCRIPT]);
  for (const [name, text] of files) {
    const committed = await readFile(join(PAGE_DIR, name), "utf8");
    assert.ok(
      committed === text,
      `docs/calculator/${name} is stale: run \`deno task docs\` and commit it`,
    );
  }
  // A rerun gives the same bytes, so the check above cannot flicker.
  assert.equal((await buildPage()).get(SCRIPT), files.get(SCRIPT));
  assert.ok((await readdir(PAGE_DIR)).includes("index.html"));
});

test("the page loads its script as a classic script, with no network", async () => {
  const html = await readFile(join(PAGE_DIR, "index.html"), "utf8");
  const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
  assert.deepEqual(scripts, [`<script src="${SCRIPT}">`]);
  assert.doesNotMatch(html, /type="module"|https?:\/\/(?!vega\.github\.io)/);
  const script = await readFile(join(PAGE_DIR, SCRIPT), "utf8");
  assert.doesNotMatch(script, /^\s*(import|export)\s/m, "no module syntax");
});
