// The consumer tests (`npm test` runs them on Node as its "consumer" step):
// memlimits installed as users install it, into fresh projects of their own
// under the OS's temp dir, with no registry. `node --test-reporter=spec
// test/consumer/main.mjs` runs them alone.
import { after } from "node:test";
import {
  denoTaskCalc,
  jsrPackage,
  npmTarball,
  removeWorkspace,
} from "./packages.mjs";
import "./package_contents.mjs";
import "./bun_project.mjs";
import "./deno_project.mjs";
import "./node_project.mjs";
import "./bullmq_project.mjs";

// Start the slow, independent steps at once, so that they overlap; the tests
// await their results. Failures surface in the tests that use them.
for (const step of [npmTarball, jsrPackage, denoTaskCalc]) {
  step().catch(() => {});
}

after(removeWorkspace);
