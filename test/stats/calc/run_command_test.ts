// runCommand, the calculator for a form (the web page): the same answers and
// the same error messages as the command line, without a process.
import assert from "node:assert/strict";
import { test } from "../../harness.ts";
import { runCommand } from "../../../stats/calc/run_command.ts";
import { runCli } from "../../../stats/calc/main.ts";

test("runCommand gives what calc --json prints, and the same text", () => {
  const form = runCommand("overshoot", {
    "alloc-rate": "100MiB/s",
    target: "1e-9",
    pool: true,
  });
  const cli = runCli([
    "overshoot",
    "--alloc-rate",
    "100MiB/s",
    "--target",
    "1e-9",
    "--pool",
    "--json",
  ]);
  assert.deepEqual(form.json, JSON.parse(cli.stdout));
  assert.equal(
    `${form.text}\n`,
    runCli([
      "overshoot",
      "--alloc-rate",
      "100MiB/s",
      "--target",
      "1e-9",
      "--pool",
    ]).stdout,
  );
  const table = runCommand("table", { target: ["1e-9", "4e-15"] });
  assert.equal((table.json as { tables: unknown[] }).tables.length, 2);
});

test("runCommand reads observed's input from its argument, naming the source in errors", () => {
  const out = runCommand(
    "observed",
    { from: "pasted", target: "0.05" },
    "1\n2\n3\n",
  );
  assert.equal((out.json as { enough: boolean }).enough, false);
  assert.throws(
    () => runCommand("observed", { from: "pasted", target: "0.05" }, "1\nx\n"),
    /^UsageError: pasted:2: expected a non-negative number, got "x"$/,
  );
  assert.throws(
    () => runCommand("overshoot", { "alloc-rate": "100MiB/s" }),
    /^UsageError: --target: missing; overshoot needs --target t$/,
  );
  assert.throws(
    () => runCommand("nope", {}),
    /^UsageError: command: expected one of recommend, /,
  );
});
