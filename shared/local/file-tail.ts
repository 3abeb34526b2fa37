import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * The lines of a file's last `maxBytes` (however long it grew), a line cut in two at the start left
 * out; undefined when there is no file.
 */
export function tailLines(file: string, maxBytes: number): string[] | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, maxBytes);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    const lines = buffer.toString('utf8').split('\n');
    // Started mid-file: the first line is the end of one cut in two.
    if (length < size) lines.shift();
    return lines;
  } finally {
    closeSync(fd);
  }
}
