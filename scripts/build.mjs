// Builds the npm package's JavaScript and declaration files into dist/ with
// the pinned TypeScript compiler (`npm pack` runs it through `prepack`).
// dist/ is emptied first, so that nothing from an earlier build is packed.
// Exits non-zero, after tsc's diagnostics, if the build is not clean.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
rmSync(dist, { recursive: true, force: true });
const tsc = join(root, "node_modules", ".bin", "tsc");
const { status } = spawnSync(tsc, ["-p", "tsconfig.build.json"], {
  cwd: root,
  stdio: "inherit",
});
if (status !== 0) process.exit(status ?? 1);

// tsc rewrites `./x.ts` to `./x.js` in the JavaScript it emits
// (rewriteRelativeImportExtensions) but keeps `./x.ts` in the declaration
// files. TypeScript finds x.d.ts from either; Deno only from `./x.js`, the
// module that is really there.
const relativeTs = /(["'])(\.\.?\/[^"']*)\.ts\1/g;
for (const entry of readdirSync(dist, { recursive: true })) {
  if (!entry.endsWith(".d.ts")) continue;
  const path = join(dist, entry);
  const text = readFileSync(path, "utf8");
  writeFileSync(path, text.replace(relativeTs, "$1$2.js$1"));
}
