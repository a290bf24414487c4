/**
 * Lays out rows as a plain-text table for a terminal: a header, a rule, and
 * columns padded to their widest cell (numbers right-aligned, text left-aligned).
 *
 * @example
 * ```ts
 * import { textTable } from "./text_table.ts";
 * console.log(textTable(["k", "N"], [["1", "0"], ["10", "12"]]));
 * ```
 */
export function textTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = headers.map((header, column) =>
    Math.max([...header].length, ...rows.map((row) => [...row[column]].length))
  );
  const pad = (cell: string, column: number) => {
    const fill = " ".repeat(widths[column] - [...cell].length);
    return column === 0 ? cell + fill : fill + cell;
  };
  const line = (cells: readonly string[]) =>
    cells.map(pad).join("  ").trimEnd();
  return [
    line(headers),
    widths.map((width) => "-".repeat(width)).join("  "),
    ...rows.map(line),
  ].join("\n");
}
