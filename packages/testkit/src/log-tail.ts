import { closeSync, openSync, readSync, statSync } from 'node:fs';

/** The last `maxBytes` of a file, cut at a line start; '' if it does not exist. */
export function readTail(file: string, maxBytes: number): string {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return '';
  }
  const length = Math.min(size, maxBytes);
  const buffer = Buffer.alloc(length);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buffer, 0, length, size - length);
  } finally {
    closeSync(fd);
  }
  const text = buffer.toString('utf8');
  if (length === size) return text;
  const firstBreak = text.indexOf('\n');
  return firstBreak === -1 ? text : text.slice(firstBreak + 1);
}

/** `where` says where the full log is, or that it is gone. */
export function withLogTail(
  message: string,
  label: string,
  logFile: string,
  where = logFile,
  maxBytes = 4_096,
): string {
  const tail = readTail(logFile, maxBytes).trimEnd();
  return `${message}\n--- last lines of ${label} log (${where}) ---\n${tail || '(empty)'}`;
}
