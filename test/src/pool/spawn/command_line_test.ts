/**
 * A worker's command line for each runtime, built from given parts (runtime,
 * executable, entry files, Deno settings): no process starts, and every
 * runtime's line is checked on every runtime.
 */
import assert from "node:assert/strict";
import { isBun, isDeno, isNode, test } from "../../../harness.ts";
import {
  commandLine,
  type CommandLineParts,
  type DenoWorkerSettings,
  heapCapFor,
  isHeapCapExit,
  spawnCommand,
} from "../../../../src/pool/spawn/command_line.ts";

const MODULE = "file:///home/u/app/tasks.ts";
const ENTRIES = {
  workerProcess: "/lib/memlimits/src/pool/worker/worker.process.ts",
  loadGuard: "/lib/memlimits/src/pool/worker/load_guard.preload.ts",
};
const DENO: CommandLineParts = {
  runtime: "deno",
  executable: "/usr/bin/deno",
  ...ENTRIES,
};
const BUN: CommandLineParts = {
  runtime: "bun",
  executable: "/usr/bin/bun",
  ...ENTRIES,
};
const NODE: CommandLineParts = {
  runtime: "node",
  executable: "/usr/bin/node",
  ...ENTRIES,
};

/** Deno settings: a config, narrow permissions, and the host's V8 flags. */
function denoSettings(
  readsAnyFile: boolean,
  v8: string[] = [],
): DenoWorkerSettings {
  return {
    config: ["--config=/home/u/app/deno.json", "--no-lock"],
    permissions: {
      flags: readsAnyFile
        ? ["--allow-all"]
        : ["--allow-read=/home/u/app", "--deny-net"],
      readsAnyFile,
    },
    v8,
  };
}

test("command line (Deno): deno run with the config, the permissions and the heap cap, the task module last", () => {
  assert.deepEqual(
    commandLine(DENO, MODULE, 264 * 2 ** 20, denoSettings(true)),
    {
      command: "/usr/bin/deno",
      args: [
        "run",
        "--quiet",
        "--no-prompt",
        "--config=/home/u/app/deno.json",
        "--no-lock",
        "--allow-all",
        "--v8-flags=--max-old-space-size=264",
        "/lib/memlimits/src/pool/worker/worker.process.ts",
        "file:///home/u/app/tasks.ts",
      ],
    },
  );
  // Without a heap cap and without V8 flags of the host's: no --v8-flags.
  assert.deepEqual(
    commandLine(DENO, MODULE, undefined, denoSettings(true)).args,
    [
      "run",
      "--quiet",
      "--no-prompt",
      "--config=/home/u/app/deno.json",
      "--no-lock",
      "--allow-all",
      "/lib/memlimits/src/pool/worker/worker.process.ts",
      "file:///home/u/app/tasks.ts",
    ],
  );
});

test("command line (Deno): a worker that may not read every file preloads the load guard, then the task module", () => {
  assert.deepEqual(
    commandLine(DENO, MODULE, 100 * 2 ** 20, denoSettings(false)).args,
    [
      "run",
      "--quiet",
      "--no-prompt",
      "--config=/home/u/app/deno.json",
      "--no-lock",
      "--allow-read=/home/u/app",
      "--deny-net",
      "--v8-flags=--max-old-space-size=100",
      "--preload=/lib/memlimits/src/pool/worker/load_guard.preload.ts",
      "--preload=file:///home/u/app/tasks.ts",
      "/lib/memlimits/src/pool/worker/worker.process.ts",
      "file:///home/u/app/tasks.ts",
    ],
  );
});

test("command line (Deno): the host's V8 flags are kept, its heap size replaced by ours, last", () => {
  const host = ["--max-old-space-size=4096", "--stack-size=2000"];
  const args = (cap: number | undefined) =>
    commandLine(DENO, MODULE, cap, denoSettings(true, host)).args.filter((a) =>
      a.startsWith("--v8-flags")
    );
  assert.deepEqual(args(264 * 2 ** 20), [
    "--v8-flags=--stack-size=2000,--max-old-space-size=264",
  ]);
  // No cap of ours: the host's flags as they are.
  assert.deepEqual(args(undefined), [
    "--v8-flags=--max-old-space-size=4096,--stack-size=2000",
  ]);
  // The host's flags other than the heap size, ours after them.
  assert.deepEqual(
    commandLine(
      DENO,
      MODULE,
      2 ** 30,
      denoSettings(true, ["--single-threaded-gc"]),
    ).args.filter((a) => a.startsWith("--v8-flags")),
    ["--v8-flags=--single-threaded-gc,--max-old-space-size=1024"],
  );
});

test("command line (Bun): bun runs the entry with the task module, and no heap cap (JavaScriptCore has none)", () => {
  const expected = {
    command: "/usr/bin/bun",
    args: [
      "/lib/memlimits/src/pool/worker/worker.process.ts",
      "file:///home/u/app/tasks.ts",
    ],
  };
  assert.deepEqual(commandLine(BUN, MODULE, undefined, undefined), expected);
  assert.deepEqual(
    commandLine(BUN, MODULE, 264 * 2 ** 20, undefined),
    expected,
  );
  // Deno's settings mean nothing to Bun.
  assert.deepEqual(
    commandLine(BUN, MODULE, 264 * 2 ** 20, denoSettings(false)),
    expected,
  );
});

test("command line (Node): node runs the entry with the heap cap in MiB, rounded up", () => {
  assert.deepEqual(commandLine(NODE, MODULE, 264 * 2 ** 20, undefined), {
    command: "/usr/bin/node",
    args: [
      "--max-old-space-size=264",
      "/lib/memlimits/src/pool/worker/worker.process.ts",
      "file:///home/u/app/tasks.ts",
    ],
  });
  const capFlag = (bytes: number) =>
    commandLine(NODE, MODULE, bytes, undefined).args[0];
  assert.equal(capFlag(100 * 2 ** 20 + 1), "--max-old-space-size=101");
  assert.equal(capFlag(100 * 2 ** 20 - 1), "--max-old-space-size=100");
  assert.equal(capFlag(1), "--max-old-space-size=1");
  assert.deepEqual(commandLine(NODE, MODULE, undefined, undefined).args, [
    "/lib/memlimits/src/pool/worker/worker.process.ts",
    "file:///home/u/app/tasks.ts",
  ]);
});

test("command line: spawnCommand gives this runtime's executable and the entry beside the sources", () => {
  const settings = isDeno ? denoSettings(true) : undefined;
  const { command, args } = spawnCommand(MODULE, 264 * 2 ** 20, settings);
  assert.equal(command, process.execPath);
  assert.equal(args.at(-1), "file:///home/u/app/tasks.ts");
  assert.match(args.at(-2)!, /\/src\/pool\/worker\/worker\.process\.ts$/);
  if (isDeno) assert.equal(args[0], "run");
  if (isBun) assert.equal(args.length, 2);
  if (isNode) assert.equal(args[0], "--max-old-space-size=264");
});

test("command line: the heap cap is twice the memory limit plus 64 MiB", () => {
  assert.equal(heapCapFor(undefined), undefined);
  assert.equal(heapCapFor(100 * 2 ** 20), 276_824_064); // 264 MiB
  assert.equal(heapCapFor(2 ** 30), 2_214_592_512); // 2112 MiB
  assert.equal(heapCapFor(0), 67_108_864); // 64 MiB
});

test("command line: an exit at the heap cap is SIGTRAP or 133 on Deno, SIGABRT or 134 on Node, never on Bun", () => {
  const exits = [
    { code: null, signal: "SIGTRAP" },
    { code: 133, signal: null },
    { code: null, signal: "SIGABRT" },
    { code: 134, signal: null },
    { code: null, signal: "SIGKILL" },
    { code: 3, signal: null },
    { code: 0, signal: null },
  ];
  const verdicts = (on: "deno" | "bun" | "node") =>
    exits.map((exit) => isHeapCapExit(exit, on));
  assert.deepEqual(verdicts("deno"), [
    true,
    true,
    false,
    false,
    false,
    false,
    false,
  ]);
  assert.deepEqual(verdicts("node"), [
    false,
    false,
    true,
    true,
    false,
    false,
    false,
  ]);
  assert.deepEqual(verdicts("bun"), [
    false,
    false,
    false,
    false,
    false,
    false,
    false,
  ]);
  // Without the runtime named: this one's.
  assert.equal(
    isHeapCapExit({ code: null, signal: "SIGTRAP" }),
    isDeno,
  );
  assert.equal(
    isHeapCapExit({ code: null, signal: "SIGABRT" }),
    isNode,
  );
});
