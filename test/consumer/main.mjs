// The consumer tests (`npm test` runs them on Node as its "consumer" step):
// memlimits installed as users install it, into fresh projects of their own
// under the OS's temp dir, with no registry. `node --test-reporter=spec
// test/consumer/main.mjs` runs them alone.
import { after } from "node:test";
import { removeWorkspace } from "./packages.mjs";
import "./package_contents.mjs";
import "./bun_project.mjs";
import "./deno_project.mjs";
import "./node_project.mjs";

after(removeWorkspace);
