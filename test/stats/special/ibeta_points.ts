// The mpmath reference points of test/stats/fixtures/ibeta.json (made by
// fixtures/generate.py), typed, and the error measure the ibeta tests use.
import fixture from "../fixtures/ibeta.json" with { type: "json" };

/** One reference point: I_x(a, b), its complement Q and ln I, from mpmath. */
export interface Point {
  x: number;
  a: number;
  b: number;
  region: string;
  I: number;
  Q: number;
  logI: number;
}

/** Every reference point of the fixture. */
export const points: readonly Point[] = fixture.points as Point[];

/** |value − reference| / |reference|. */
export function relativeError(value: number, reference: number): number {
  return Math.abs(value - reference) / Math.abs(reference);
}
