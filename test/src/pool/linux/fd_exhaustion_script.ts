/**
 * Run with few descriptors allowed (proc_file_reader_test.ts): takes every
 * descriptor left, opens a ProcFileReader, gives three back, and prints what
 * the reader read before and after, as JSON.
 */
import { closeSync, openSync } from "node:fs";
import { ProcFileReader } from "../../../../src/pool/linux/proc_file_reader.ts";

const held: number[] = [];
let code: string | undefined;
try {
  for (let i = 0; i < 100_000; i++) held.push(openSync("/dev/null", "r"));
} catch (error) {
  code = (error as { code?: string }).code;
}
const reader = new ProcFileReader("/proc/self/statm", 128);
const starved = reader.read() ?? null;
for (const fd of held.splice(-3)) closeSync(fd);
const after = reader.read() ?? null;
reader.close();
for (const fd of held) closeSync(fd);
console.log(JSON.stringify({ code, starved, after }));
