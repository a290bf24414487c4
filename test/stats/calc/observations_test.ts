// parseObservations, what `calc observed` and the web page read values with:
// file order, blank lines, JSON lines with a field, and errors naming source:line.
import assert from "node:assert/strict";
import { test } from "../../harness.ts";
import { parseObservations } from "../../../stats/calc/observations.ts";

test("parseObservations reads one number per line, skipping blank lines", () => {
  assert.deepEqual(parseObservations("3\n1.5\n\n  2e3  \r\n0\n", "a.txt"), [
    3,
    1.5,
    2000,
    0,
  ]);
});

test("parseObservations reads a field of JSON lines, ignoring the other properties", () => {
  const text = [
    JSON.stringify({ peakMemory: 1024, allocated: 5, cpuMs: 1.25 }),
    "",
    JSON.stringify({ cpuMs: 2, peakMemory: 2048 }),
  ].join("\n");
  assert.deepEqual(parseObservations(text, "runs.jsonl", "peakMemory"), [
    1024,
    2048,
  ]);
  assert.deepEqual(parseObservations(text, "runs.jsonl", "cpuMs"), [1.25, 2]);
});

test("parseObservations refuses what is not a non-negative number, naming source:line", () => {
  const fails = (text: string, field: string | undefined, pattern: RegExp) =>
    assert.throws(
      () => parseObservations(text, "in", field),
      (error: Error) => {
        assert.equal(error.name, "UsageError");
        assert.match(error.message, pattern);
        return true;
      },
    );
  fails(
    "1\n0x10\n",
    undefined,
    /^in:2: expected a non-negative number, got "0x10"$/,
  );
  fails(
    "1\n\n-1\n",
    undefined,
    /^in:3: expected a non-negative number, got "-1"$/,
  );
  fails(
    "1e999\n",
    undefined,
    /^in:1: expected a non-negative number, got "1e999"$/,
  );
  fails('{"a": 1}\n', undefined, /^in:1: a JSON object; give --field NAME/);
  fails('{"a": 1}\n{"b": 1}\n', "a", /^in:2: no property "a" in this object/);
  fails(
    '{"a": null}\n',
    "a",
    /^in:1: expected a non-negative number in "a", got null$/,
  );
  fails(
    '{"a": -3}\n',
    "a",
    /^in:1: expected a non-negative number in "a", got "-3"$/,
  );
  fails("[1]\n", "a", /^in:1: expected a JSON object with the property "a"/);
  fails("7\n", "a", /^in:1: expected a JSON object with the property "a"/);
  fails(`{"a": "${"x".repeat(100)}"}\n`, "a", /got "x{56}\.\.\.$/);
  fails("\n \n", undefined, /^--from: in holds no values/);
  fails("", "a", /^--from: in holds no values/);
});
