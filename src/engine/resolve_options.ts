/**
 * `start()`'s options checked: a TypeError for a wrong type or an unknown
 * key, a RangeError for a sampling interval out of range. Apart from
 * options.ts, whose constants the statistics page bundles without these
 * checks.
 */
import {
  type AcceptedKeys,
  checkKeys,
  describe,
  isOptionsObject,
} from "../limits/validate.ts";
import {
  DEFAULT_SAMPLING_INTERVAL_MS,
  type EngineOptions,
  MIN_SAMPLING_INTERVAL_MS,
  type ResolvedOptions,
} from "./options.ts";

const ENGINE_OPTION_KEYS: AcceptedKeys<EngineOptions> = {
  samplingInterval: true,
};

/** Checks `start()`'s options; throws a TypeError or RangeError naming the bad one. */
export function resolveOptions(options: unknown): ResolvedOptions {
  if (options === undefined) {
    return { samplingInterval: DEFAULT_SAMPLING_INTERVAL_MS };
  }
  if (!isOptionsObject(options)) {
    throw new TypeError(
      `options must be an object or undefined, got ${describe(options)}`,
    );
  }
  checkKeys("options", options, ENGINE_OPTION_KEYS, "an option of start()");
  const interval = (options as EngineOptions).samplingInterval;
  if (interval === undefined) {
    return { samplingInterval: DEFAULT_SAMPLING_INTERVAL_MS };
  }
  if (typeof interval !== "number") {
    throw new TypeError(
      `options.samplingInterval must be a number of milliseconds, got ${
        describe(interval)
      }`,
    );
  }
  if (
    !(interval >= MIN_SAMPLING_INTERVAL_MS &&
      interval <= DEFAULT_SAMPLING_INTERVAL_MS)
  ) {
    throw new RangeError(
      `options.samplingInterval must be between ${MIN_SAMPLING_INTERVAL_MS} and ${DEFAULT_SAMPLING_INTERVAL_MS} ms ` +
        `(longer intervals are less accurate than the default), got ${interval}`,
    );
  }
  return { samplingInterval: interval };
}
