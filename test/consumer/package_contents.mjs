// What the npm tarball and the JSR package hold: the library, its docs and
// LICENSE; no tests, fixtures, benchmarks or CI files; and what their
// manifests promise (exports with types, bin, no runtime dependencies).
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { cleanEnv, jsrPackage, npmTarball, root, run } from "./packages.mjs";

const NOT_SHIPPED =
  /^(test|bench|demo|scripts|\.ci|node_modules)\/|fixtures\/|_test\.ts$|\.py$|^main\.ts$/;

describe("npm package", () => {
  test("npm pack builds it cleanly and it holds the compiled library, docs and LICENSE only", async () => {
    const { files } = await npmTarball();
    for (
      const file of [
        "LICENSE",
        "README.md",
        "CHANGELOG.md",
        "package.json",
        "dist/mod.js",
        "dist/mod.d.ts",
        "dist/stats/mod.js",
        "dist/stats/mod.d.ts",
        "dist/src/bullmq/mod.js",
        "dist/src/bullmq/mod.d.ts",
        "dist/src/bullmq/processor.js",
        "dist/src/pool/worker/worker.process.js",
        "dist/src/pool/worker/load_guard.preload.js",
        "dist/src/pool/watchdog/watchdog.thread.js",
        "dist/src/pool/worker/brake.thread.js",
        "dist/bin/memlimits.js",
        "docs/limits.md",
        "docs/statistical.md",
        "docs/bullmq.md",
        "docs/calculator/index.html",
        "docs/calculator/calculator.js",
      ]
    ) {
      assert.ok(files.includes(file), `${file} missing from the tarball`);
    }
    assert.deepEqual(files.filter((f) => NOT_SHIPPED.test(f)), []);
    // The page's screenshots (~300 KB) stay in git, for the README, not in the tarball.
    assert.deepEqual(files.filter((f) => f.endsWith(".png")), []);
    // Only JavaScript and declarations: Node cannot load .ts from node_modules.
    assert.deepEqual(
      files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")),
      [],
    );
  });

  test("package.json: exports with types, bin, engines, no runtime dependencies, bullmq an optional peer", async () => {
    const { files } = await npmTarball();
    const manifest = JSON.parse(
      readFileSync(join(root, "package.json"), "utf8"),
    );
    const deno = JSON.parse(readFileSync(join(root, "deno.json"), "utf8"));
    assert.equal(manifest.name, "memlimits");
    assert.equal(manifest.private, undefined);
    assert.equal(manifest.version, deno.version);
    assert.deepEqual(Object.keys(manifest.exports).sort(), [
      ".",
      "./bullmq",
      "./package.json",
      "./stats",
    ]);
    for (const entry of [".", "./stats", "./bullmq"]) {
      const { types, default: js } = manifest.exports[entry];
      assert.match(types, /^\.\/dist\/.*\.d\.ts$/);
      assert.match(js, /^\.\/dist\/.*\.js$/);
      assert.ok(files.includes(types.slice(2)), types);
      assert.ok(files.includes(js.slice(2)), js);
    }
    assert.equal(manifest.bin.memlimits, "dist/bin/memlimits.js");
    assert.ok(manifest.engines.node && manifest.engines.bun);
    assert.equal(manifest.dependencies, undefined);
    // memlimits/bullmq needs BullMQ; nothing else does, so it is optional.
    assert.match(manifest.peerDependencies.bullmq, /^\^6\.\d+\.\d+$/);
    assert.deepEqual(manifest.peerDependenciesMeta, {
      bullmq: { optional: true },
    });
    assert.equal(
      manifest.devDependencies.typescript.match(/^\d+\.\d+\.\d+$/)?.[0],
      manifest.devDependencies.typescript,
    );
  });

  test("npm publish --dry-run finds nothing in package.json to correct", async () => {
    await npmTarball(); // dist/ built, as at a real publish
    const result = await run("npm", [
      "publish",
      "--dry-run",
      "--ignore-scripts",
    ], {
      cwd: root,
      env: { ...cleanEnv, npm_config_offline: "true" },
    });
    assert.equal(result.status, 0, result.stderr);
    // The one warning a dry run without a login always gives.
    const warnings = result.stderr.split("\n").filter((l) =>
      l.startsWith("npm warn") && !l.includes("requires you to be logged in")
    );
    assert.deepEqual(warnings, []);
  });
});

test("npm package: only memlimits/bullmq imports bullmq, not the core entry points", async () => {
  await npmTarball(); // dist/ built
  const dist = join(root, "dist");
  const importers = readdirSync(dist, { recursive: true })
    .filter((f) => f.endsWith(".js"))
    .filter((f) =>
      // Import statements, not the JSDoc examples that show one.
      /^\s*(import|export)\b[^;]*\bfrom\s*["']bullmq["']|\bimport\(\s*["']bullmq["']/m
        .test(readFileSync(join(dist, f), "utf8"))
    )
    .sort();
  assert.deepEqual(importers, ["src/bullmq/processor.js"]);
});

describe("JSR package", () => {
  test("deno publish --dry-run passes with no error and no warning", async () => {
    const { status, output } = await jsrPackage();
    assert.equal(status, 0, output);
    assert.doesNotMatch(output, /^(warning|error)\b/im, output);
    assert.match(output, /Success\s+Dry run complete/);
  });

  test("it publishes the library, its docs and LICENSE, and no tests, fixtures or benchmarks", async () => {
    const { files } = await jsrPackage();
    for (
      const file of [
        "LICENSE",
        "README.md",
        "CHANGELOG.md",
        "deno.json",
        "mod.ts",
        "stats/mod.ts",
        "bin/memlimits.ts",
        "src/bullmq/mod.ts",
        "src/bullmq/processor.ts",
        "src/pool/worker/worker.process.ts",
        "src/pool/worker/load_guard.preload.ts",
        "src/pool/watchdog/watchdog.thread.ts",
        "src/pool/worker/brake.thread.ts",
        "docs/workers.md",
        "docs/bullmq.md",
      ]
    ) {
      assert.ok(files.includes(file), `${file} is not published`);
    }
    assert.deepEqual(files.filter((f) => NOT_SHIPPED.test(f)), []);
  });
});
