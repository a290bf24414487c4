// A Bun project of its own, outside the checkout, that installs the packed
// tarball with `bun add` next to a local package of its own. Its task module
// resolves that package and a tsconfig path alias from its own location.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import {
  assertCalcMatches,
  bin,
  cleanEnv,
  npmTarball,
  run,
  workspace,
} from "./packages.mjs";
import {
  checkInThread,
  checkPool,
  checkStats,
  newProject,
  parseReport,
} from "./projects.mjs";

const env = {
  ...cleanEnv,
  BUN_INSTALL_CACHE_DIR: join(workspace, "bun-cache"),
};

describe("Bun project", () => {
  let dir;
  before(async () => {
    dir = newProject("bun-project");
    const manifest = { name: "bun-consumer", private: true, type: "module" };
    writeFileSync(join(dir, "package.json"), JSON.stringify(manifest));
    const tsconfig = { compilerOptions: { paths: { "@lib/*": ["./lib/*"] } } };
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(tsconfig));
    const { path } = await npmTarball();
    const add = await run(bin("bun"), ["add", path, "file:./shout-local"], {
      cwd: dir,
      env,
    });
    assert.equal(
      add.status,
      0,
      `bun add failed:\n${add.stdout}\n${add.stderr}`,
    );
  });

  test("imports memlimits and memlimits/stats; in-thread limit, pool task on its own dependency, memory bomb stopped", async () => {
    const host = await run(bin("bun"), ["host.ts"], { cwd: dir, env });
    const report = parseReport(host);
    checkInThread(report);
    checkPool(report);
    checkStats(report);
  });

  test("bunx memlimits prints what deno task calc prints, with the same exit status", async () => {
    await assertCalcMatches(bin("bunx"), ["memlimits"], { cwd: dir, env });
  });
});
