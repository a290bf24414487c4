import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { isDeno, test } from "../../harness.ts";
import { isStopped } from "../../../src/pool/process_tree.ts";
import { eventually, processState, residentBytes } from "./helpers.ts";

const MiB = 2 ** 20;
const CHILD = fileURLToPath(
  new URL("./fixtures/brake_child.ts", import.meta.url),
);

/** Starts the brake's test process as a group leader; resolves with its first line. */
function startChild(args: string[]) {
  const command = isDeno ? Deno.execPath() : process.execPath;
  const runtimeArgs = isDeno ? ["run", "-A", "--no-check", CHILD] : [CHILD];
  const child = spawn(command, [...runtimeArgs, ...args], {
    detached: true,
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout!.on("data", (chunk) => out += chunk);
  const ended = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code))
  );
  return { child, output: () => out, ended };
}

test("memory brake: a process over its armed bound freezes itself within a few MiB of it", async () => {
  const { child, output, ended } = startChild([]);
  try {
    assert.ok(await eventually(() => output().includes("\n"), 20_000));
    const { works, base } = JSON.parse(output().split("\n")[0]);
    assert.equal(works, true, "the brake's thread is up");
    assert.ok(
      await eventually(() => processState(child.pid!) === "T", 20_000),
      `the process froze (it printed ${JSON.stringify(output())})`,
    );
    const grew = residentBytes(child.pid!) - base;
    assert.ok(grew > 64 * MiB, `grew ${grew / MiB} MiB`);
    assert.ok(grew <= 1.1 * 64 * MiB, `grew ${(grew / MiB).toFixed(1)} MiB`);
    assert.ok(!output().includes("done"));
  } finally {
    process.kill(-child.pid!, "SIGKILL");
    await ended;
  }
});

test("memory brake: a disarmed brake lets the process grow", async () => {
  const { child, output, ended } = startChild(["disarm"]);
  try {
    assert.equal(await ended, 0);
    assert.match(output(), /"works":true[^\n]*\ndone\n/);
  } finally {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // gone
    }
  }
});

test("memory brake: the watchdog tells a frozen process (isStopped) from a running one", async () => {
  const child = spawn("sleep", ["30"], { stdio: "ignore" });
  const ended = new Promise((resolve) => child.once("exit", resolve));
  try {
    assert.equal(isStopped(child.pid!), false);
    process.kill(child.pid!, "SIGSTOP");
    assert.ok(await eventually(() => isStopped(child.pid!)));
    process.kill(child.pid!, "SIGCONT");
    assert.ok(await eventually(() => !isStopped(child.pid!)));
  } finally {
    child.kill("SIGKILL");
    await ended;
  }
  assert.equal(isStopped(child.pid!), false, "gone");
});
