// A Deno project of its own, outside the checkout, whose deno.json maps
// `memlimits` to the package as JSR serves it (the files `deno publish`
// lists, staged locally since no registry is reachable) and two bare
// specifiers to modules of the project. Its task module imports them, so the
// pool's workers must resolve modules with the host's configuration.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { before, describe, test } from "node:test";
import { assertCalcMatches, bin, jsrPackage, run } from "./packages.mjs";
import {
  checkInThread,
  checkPool,
  checkStats,
  newProject,
  parseReport,
} from "./projects.mjs";

/** What a worker started without the host's deno.json fails with. */
const NOT_IN_IMPORT_MAP = /not a dependency and not in import map/;

describe("Deno project", () => {
  let dir;
  let staged;
  before(async () => {
    dir = newProject("deno-project");
    staged = (await jsrPackage()).dir;
    const memlimits = `./${relative(dir, staged)}`;
    const config = {
      imports: {
        "memlimits": `${memlimits}/mod.ts`,
        "memlimits/stats": `${memlimits}/stats/mod.ts`,
        "shout-local": "./shout-local/index.js",
        "@lib/": "./lib/",
      },
    };
    writeFileSync(join(dir, "deno.json"), JSON.stringify(config, null, 2));
  });

  test("imports memlimits and memlimits/stats; in-thread limit, pool task on a bare specifier of its deno.json, memory bomb stopped", async () => {
    const host = await run(bin("deno"), ["run", "-A", "host.ts"], { cwd: dir });
    const report = parseReport(host);
    checkInThread(report);
    checkStats(report);
    const poolError = report.poolGreet?.error ?? "";
    if (NOT_IN_IMPORT_MAP.test(poolError)) {
      assert.fail(
        "The pool's Deno worker did not resolve the task module as the host " +
          "does: it was started without the host's deno.json, whose import map " +
          `maps the task module's bare specifiers. The worker said: ${poolError}`,
      );
    }
    checkPool(report);
  });

  test("the calc export runs the calculator as deno task calc does, with no permissions", async () => {
    const calc = join(staged, "bin", "memlimits.ts");
    await assertCalcMatches(bin("deno"), ["run", calc], { cwd: dir });
  });
});
