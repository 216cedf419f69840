// CSV as RFC 4180 writes it, for exports that import back as they were: a field is
// quoted when it holds a comma, a quote, a line break or space at either end, and a
// quote inside is doubled. Nothing else is changed (no formula escaping: the text is
// the data, and an import must read back exactly what was exported).

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

export function csvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** One line of CSV, ending in CRLF as RFC 4180 has it. */
export function csvLine(fields: readonly string[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}
