/**
 * One kibibyte, 1024 bytes.
 *
 * @example
 * ```ts
 * import { KiB } from "memlimits";
 * console.log(64 * KiB); // 65536
 * ```
 */
export const KiB = 1024;
/**
 * One mebibyte, 1024² bytes.
 *
 * @example
 * ```ts
 * import { MiB } from "memlimits";
 * console.log(256 * MiB);
 * ```
 */
export const MiB = 1024 * KiB;
/**
 * One gibibyte, 1024³ bytes.
 *
 * @example
 * ```ts
 * import { GiB } from "memlimits";
 * console.log(2 * GiB);
 * ```
 */
export const GiB = 1024 * MiB;
