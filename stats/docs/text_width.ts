// Text widths for laying out charts without a canvas. Vega's fallback guesses
// 0.8 em for every character, about 1.5 times too wide for sans-serif text,
// which pushes titles off the chart and pads it with blank space. This
// estimate uses approximate Helvetica/Arial advance widths by character class:
// deterministic (the same SVG on every runtime) and close enough for layout.

/** Advance widths in em, by character class. */
const NARROW = 0.28; // i j l . , : ; ' ! | and space
const SEMI_NARROW = 0.34; // f t r ( ) [ ] - /
const DIGIT = 0.556;
const LOWER = 0.53;
const UPPER = 0.68;
const WIDE = 0.86; // m w M W and other wide letters
const OTHER = 0.6; // symbols such as = + − · and anything else

function advance(char: string): number {
  if (" ijl.,:;'!|".includes(char)) return NARROW;
  if ("ftr()[]-/".includes(char)) return SEMI_NARROW;
  if ("mwMW".includes(char)) return WIDE;
  if (char >= "0" && char <= "9") return DIGIT;
  if (char >= "a" && char <= "z") return LOWER;
  if (char >= "A" && char <= "Z") return UPPER;
  return OTHER;
}

/**
 * Estimated width in pixels of `text` at `fontSize` pixels in a Helvetica-like font.
 *
 * @example
 * ```ts
 * import { textWidth } from "./text_width.ts";
 * textWidth("target probability t", 13); // about 110
 * ```
 */
export function textWidth(text: string, fontSize: number): number {
  let ems = 0;
  for (const char of text) ems += advance(char);
  return Math.round(ems * fontSize * 100) / 100;
}
