// Bit rot on demand: one byte of a file inverted in place (a chunk file, for the CRC checks to find).
import { closeSync, openSync, readSync, writeSync } from 'node:fs';

/** Flips one byte of a file in place (a chunk file, to simulate bit rot). */
export function flipByte(path: string, position: number): void {
  const fd = openSync(path, 'r+');
  try {
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, position);
    b[0] = b[0]! ^ 0xff;
    writeSync(fd, b, 0, 1, position);
  } finally {
    closeSync(fd);
  }
}
