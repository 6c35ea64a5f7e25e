/** A value as a table cell: numbers keep up to 2 decimals, `null` and `undefined` show as `–`. */
function cell(value: unknown): string {
  if (value === null || value === undefined) return '–';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(2);
  return String(value);
}

/** Renders a titled plain-text table with right-aligned columns. */
export function formatTable(
  title: string,
  headers: readonly string[],
  rows: readonly (readonly unknown[])[],
): string {
  const cells = rows.map((row) => row.map(cell));
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...cells.map((row) => (row[column] ?? '').length)),
  );
  const line = (values: readonly string[]) =>
    values.map((value, column) => value.padStart(widths[column] ?? 0)).join('  ');
  return [title, line(headers), line(widths.map((width) => '-'.repeat(width))), ...cells.map(line)].join(
    '\n',
  );
}
