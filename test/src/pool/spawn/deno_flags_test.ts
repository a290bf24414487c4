import { fileURLToPath } from "node:url";
/**
 * On Deno a worker runs with the host's configuration. The project is a
 * user's: a fresh directory under the OS temp dir with its own deno.json
 * mapping a bare specifier, and "memlimits" mapped to this checkout's mod.ts.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isDeno, test } from "../../../harness.ts";
import {
  hostConfigurationFlags,
  parseDenoCommandLine,
} from "../../../../src/pool/spawn/deno_flags.ts";
import { withoutUsage } from "../../fixture.ts";

const MOD = new URL("../../../../mod.ts", import.meta.url).href;

const HOST_SCRIPT = `
import { WorkerPool } from "memlimits";
import { readFileSync } from "node:fs";
const options = JSON.parse(Deno.args[0] ?? "{}");
const out = {};
try {
  await using pool = new WorkerPool(new URL("./tasks.ts", import.meta.url), { size: 1, ...options });
  try {
    out.result = await pool.run("hello", ["you"], { timeout: 30000 });
  } catch (error) {
    out.rejected = error.message;
  }
  try {
    out.workerArgs = readFileSync("/proc/" + pool.workerPids[0] + "/cmdline", "utf8").split("\\0");
  } catch {
    // a narrow host may not look
  }
} catch (error) {
  out.threw = error.name + ": " + error.message;
}
console.log(JSON.stringify(out));
`;

/** memlimits' own files, which a narrow host must be able to read (its watchdog thread). */
const LIBRARY = fileURLToPath(new URL("../../../../", import.meta.url)).replace(
  /\/$/,
  "",
);

/** A user's project (and a second config elsewhere), removed by `done()`. */
function project(): { dir: string; alt: string; done(): void } {
  const root = mkdtempSync(join(tmpdir(), "memlimits-config-"));
  const dir = join(root, "project");
  const alt = join(root, "elsewhere");
  mkdirSync(join(dir, "lib"), { recursive: true });
  mkdirSync(alt);
  writeFileSync(
    join(dir, "deno.json"),
    JSON.stringify({ imports: { greet: "./lib/greet.ts", memlimits: MOD } }),
  );
  writeFileSync(
    join(dir, "lib", "greet.ts"),
    "export const greet = (name: string) => `hello ${name}`;\n",
  );
  writeFileSync(
    join(dir, "tasks.ts"),
    'import { greet } from "greet";\nexport function hello(name: string) { return greet(name); }\n',
  );
  writeFileSync(join(dir, "host.ts"), HOST_SCRIPT);
  writeFileSync(
    join(alt, "deno.json"),
    JSON.stringify({ imports: { greet: "./greet_alt.ts", memlimits: MOD } }),
  );
  writeFileSync(
    join(alt, "greet_alt.ts"),
    "export const greet = (name: string) => `hi from elsewhere, ${name}`;\n",
  );
  return { dir, alt, done: () => rmSync(root, { recursive: true }) };
}

interface HostOutput {
  result?: unknown;
  rejected?: string;
  threw?: string;
  workerArgs?: string[];
}

function runHost(
  cwd: string,
  flags: string[],
  hostPath: string,
  options: Record<string, unknown> = {},
): HostOutput {
  const child = spawnSync(
    Deno.execPath(),
    ["run", "--no-check", ...flags, hostPath, JSON.stringify(options)],
    { cwd, encoding: "utf8", timeout: 90_000 },
  );
  assert.equal(child.status, 0, `host failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split("\n").at(-1)!);
}

test(
  "deno config: a task module importing the project's bare specifier works in the pool, from any working directory",
  () => {
    const { dir, done } = project();
    try {
      const host = join(dir, "host.ts");
      for (const cwd of [dir, tmpdir()]) {
        const out = runHost(cwd, ["-A"], host);
        assert.deepEqual(
          withoutUsage(out.result as { usage?: { wallMs?: unknown } }),
          { ok: true, value: "hello you" },
          JSON.stringify(out),
        );
        assert.ok(
          out.workerArgs!.includes(`--config=${join(dir, "deno.json")}`),
          String(out.workerArgs),
        );
      }
    } finally {
      done();
    }
  },
  { skip: !isDeno },
);

test(
  "deno config: a host started with --config elsewhere gives its workers that config, and its lock, unstable and V8 flags",
  () => {
    const { dir, alt, done } = project();
    try {
      const lock = join(dir, "custom.lock");
      const out = runHost(
        dir,
        [
          "-A",
          "--config",
          join(alt, "deno.json"),
          `--lock=${lock}`,
          "--unstable-kv",
          "--v8-flags=--stack-size=900,--max-old-space-size=4000",
        ],
        join(dir, "host.ts"),
        { memoryLimit: 64 * 2 ** 20 },
      );
      assert.deepEqual(
        withoutUsage(out.result as { usage?: { wallMs?: unknown } }),
        { ok: true, value: "hi from elsewhere, you" },
        JSON.stringify(out),
      );
      const args = out.workerArgs!;
      assert.ok(
        args.includes(`--config=${join(alt, "deno.json")}`),
        String(args),
      );
      assert.ok(args.includes(`--lock=${lock}`), String(args));
      assert.ok(args.includes("--unstable-kv"), String(args));
      // The host's V8 flags, with the pool's heap cap (2 × 64 MiB + 64 MiB) in
      // place of the host's own --max-old-space-size.
      assert.ok(
        args.includes("--v8-flags=--stack-size=900,--max-old-space-size=192"),
        String(args),
      );
    } finally {
      done();
    }
  },
  { skip: !isDeno },
);

test(
  "deno config: a narrow host finds its deno.json if it may read its project, and else names it with denoConfig",
  () => {
    const { dir, done } = project();
    try {
      const flags = [
        "--allow-env",
        `--allow-run=${Deno.execPath()}`,
        `--allow-read=${LIBRARY}`,
      ];
      const host = join(dir, "host.ts");
      // Without read access the host cannot find its deno.json; the worker,
      // whose entry lies in the library, then misses the project's imports.
      const blind = runHost(dir, flags, host);
      assert.match(
        String(blind.rejected),
        /workers cannot start/,
        JSON.stringify(blind),
      );
      // May it read the project, it finds the deno.json as Deno did.
      const reading = runHost(
        dir,
        [...flags, `--allow-read=${dir},${LIBRARY}`],
        host,
      );
      assert.deepEqual(
        withoutUsage(reading.result as { usage?: { wallMs?: unknown } }),
        { ok: true, value: "hello you" },
        JSON.stringify(reading),
      );
      for (
        const denoConfig of [join(dir, "deno.json"), `file://${dir}/deno.json`]
      ) {
        const out = runHost(dir, flags, host, { denoConfig });
        assert.deepEqual(
          withoutUsage(out.result as { usage?: { wallMs?: unknown } }),
          { ok: true, value: "hello you" },
          JSON.stringify(out),
        );
      }
    } finally {
      done();
    }
  },
  { skip: !isDeno },
);

test("deno config: a bad denoConfig is refused before anything starts", async () => {
  const { WorkerPool } = await import("../../../../src/pool/worker_pool.ts");
  const tasks = new URL("../fixtures/tasks.ts", import.meta.url);
  assert.throws(
    () => new WorkerPool(tasks, { denoConfig: 5 as unknown as string }),
    {
      name: "TypeError",
      message:
        /^options\.denoConfig must be a path \(a string\) or a file: URL of a deno\.json or deno\.jsonc, got number$/,
    },
  );
  assert.throws(
    () =>
      new WorkerPool(tasks, {
        denoConfig: new URL("https://example.com/deno.json"),
      }),
    {
      name: "RangeError",
      message: /options\.denoConfig must be a path or a file: URL.*https:/,
    },
  );
  assert.throws(() => new WorkerPool(tasks, { denoConfig: "" }), {
    name: "RangeError",
    message:
      'options.denoConfig must be a path or a file: URL of a deno.json or deno.jsonc, got ""',
  });
  assert.throws(
    () =>
      new WorkerPool(tasks, {
        denoConfig: join(tmpdir(), "no-such-dir-4711", "deno.json"),
      }),
    { name: "Error", message: /options\.denoConfig: no file at/ },
  );
});

test("deno config: the host's command line is split into subcommand and flags as Deno reads it", () => {
  assert.deepEqual(
    parseDenoCommandLine([
      "deno",
      "run",
      "-A",
      "--config",
      "c.json",
      "main.ts",
      "--config",
      "x",
    ]),
    { subcommand: "run", flags: ["-A", "--config", "c.json"] },
  );
  assert.deepEqual(
    parseDenoCommandLine(["deno", "--lock", "main.ts", "arg"]),
    { subcommand: "run", flags: ["--lock", "main.ts"] },
  );
  assert.deepEqual(
    parseDenoCommandLine([
      "deno",
      "test",
      "-A",
      "a_test.ts",
      "--no-lock",
      "b_test.ts",
      "--",
      "--cached-only",
    ]),
    { subcommand: "test", flags: ["-A", "--no-lock"] },
  );
  const cwd = process.cwd();
  assert.deepEqual(
    hostConfigurationFlags(parseDenoCommandLine([
      "deno",
      "run",
      "-A",
      "-c",
      "conf/deno.json",
      "--import-map=https://example.com/map.json",
      "--lock",
      "--frozen",
      "--node-modules-dir=manual",
      "--cached-only",
      "--unstable-worker-options",
      "--watch",
      "--inspect=127.0.0.1:9229",
      "--allow-read",
      "main.ts",
    ])),
    [
      `--config=${join(cwd, "conf/deno.json")}`,
      "--import-map=https://example.com/map.json",
      "--lock",
      "--frozen",
      "--node-modules-dir=manual",
      "--cached-only",
      "--unstable-worker-options",
    ],
  );
});
