// The page's "Same on the command line" is a command a user who installed
// memlimits can run: it starts with `npx memlimits` (not the checkout's
// `deno task calc`), and its words, given to the calculator, answer what the
// page answers. Runs without a browser, on every runtime.
import assert from "node:assert/strict";
import { test } from "../../harness.ts";
import { runCli } from "../../../stats/calc/main.ts";
import { compute, PASTED } from "../../../stats/page/model.ts";

/** Splits a POSIX shell line into words: bare words, '…' quotes and \-escapes. */
function shellWords(line: string): string[] {
  return [...line.matchAll(/(?:'[^']*'|\\.|[^\s'\\])+/g)].map((word) =>
    [...word[0].matchAll(/'([^']*)'|\\(.)|([^'\\])/g)]
      .map((m) => m[1] ?? m[2] ?? m[3]).join("")
  );
}

test("page: the command line starts with npx memlimits and its words answer as the page does", () => {
  const pasted = "41000000\n40250000\n43500000\n42000000\n40000000";
  const cases: [string, Record<string, string>][] = [
    ["recommend", { safe: "100 KiB", target: "1e-9" }],
    ["overshoot", { "alloc-rate": "1.5 GiB/s", target: "1e-6" }],
    ["observed", { from: pasted, target: "0.5", confidence: "0.9" }],
  ];
  for (const [command, values] of cases) {
    const result = compute(command, new Map(Object.entries(values)));
    assert.ok("answer" in result, `${command}: ${JSON.stringify(result)}`);
    const { commandLine, json } = result.answer;
    assert.ok(
      commandLine.startsWith(`npx memlimits ${command} `),
      `${command}: ${commandLine}`,
    );
    assert.doesNotMatch(commandLine, /deno task|npm run/);
    const [npx, program, ...args] = shellWords(commandLine);
    assert.deepEqual([npx, program], ["npx", "memlimits"]);
    // The pasted values stand for a file of that name.
    const io = {
      readText(path: string) {
        assert.equal(path, PASTED);
        return pasted;
      },
    };
    const run = runCli([...args, "--json"], io);
    assert.equal(run.stderr, "", commandLine);
    assert.deepEqual(JSON.parse(run.stdout), json, commandLine);
  }
});

test("page: shellWords reads quoted words as a shell does", () => {
  assert.deepEqual(shellWords(`a --safe '100 KiB' 'it'\\''s'`), [
    "a",
    "--safe",
    "100 KiB",
    "it's",
  ]);
});
