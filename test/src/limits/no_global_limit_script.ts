// Child process for global_memory_test.ts: in a fresh process no global
// memory limit is set, so limitGlobalMemory without a limit must throw.
import { limitGlobalMemory, start } from "../../../mod.ts";

using _engine = start();
try {
  limitGlobalMemory(() => 1);
  console.log("no error");
} catch (e) {
  console.log(`${(e as Error).name}: ${(e as Error).message}`);
}
