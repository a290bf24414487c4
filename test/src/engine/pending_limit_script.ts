// Child process for engine_test.ts: leaves a limit pending on a task that
// never settles and lets the script end. The engine's unref'd timer must not
// keep the process alive.
import { GiB, limitGlobalMemory, start } from "../../../mod.ts";

start();
limitGlobalMemory(() => new Promise(() => {}), { limit: 64 * GiB });
console.log("limit pending");
