// RouterOS export text: the canonical form Simpul stores and compares.

/** Header lines RouterOS writes with the export's own time (`# 2026-11-23 10:00:00 by RouterOS 7.18`, `# nov/23/2026 ...`). */
const TIMESTAMP = /^# .*\d{1,2}:\d{2}:\d{2} by RouterOS\b.*$/;

/** LF line ends, long lines RouterOS wrapped with `\` joined back (so secrets are never split). */
export function canonicalExport(raw: string): string {
  const text = raw.replace(/\r\n?/g, '\n').replace(/\\\n {4}/g, '');
  return text.endsWith('\n') || text === '' ? text : `${text}\n`;
}

/** The text versions are compared and diffed by: without the export's timestamp line. */
export function comparableExport(text: string): string {
  return text
    .split('\n')
    .filter((line) => !TIMESTAMP.test(line))
    .join('\n');
}
