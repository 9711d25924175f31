// The FUSE benchmark's workload, run in its own process (the mounting process must stay free to answer): creates,
// stats and unlinks of empty files, then a sequential write and read of one file. Prints one JSON line of rates.
import { closeSync, openSync, readSync, statSync, unlinkSync, writeSync, constants } from 'node:fs';
import { join } from 'node:path';

const [dir, filesArg, mibArg] = process.argv.slice(2) as [string, string, string];
const FILES = Number(filesArg);
const MIB = Number(mibArg);
/** Request size of the sequential passes: what each binding can take at most (1 MiB on libfuse 3). */
const IO_BYTES = 1024 * 1024;

function rate(n: number, work: () => void): number {
  const t = process.hrtime.bigint();
  work();
  return n / (Number(process.hrtime.bigint() - t) / 1e9);
}

const names = Array.from({ length: FILES }, (_, i) => join(dir, `f${i}`));
const creates = rate(FILES, () =>
  names.forEach((p) => closeSync(openSync(p, constants.O_CREAT | constants.O_WRONLY | constants.O_EXCL, 0o644))),
);
// Fresh names each pass would only measure lookups again: stat what exists (the kernel's caches are part of it).
const stats = rate(FILES, () => names.forEach((p) => statSync(p)));
const unlinks = rate(FILES, () => names.forEach((p) => unlinkSync(p)));
const buf = Buffer.alloc(IO_BYTES, 0x5a);
const big = join(dir, 'seq');
const writeMiBs = rate(MIB, () => {
  const fd = openSync(big, 'w');
  for (let i = 0; i < MIB; i++) writeSync(fd, buf, 0, IO_BYTES, i * IO_BYTES);
  closeSync(fd);
});
const readMiBs = rate(MIB, () => {
  const fd = openSync(big, 'r');
  for (let i = 0; i < MIB; i++) readSync(fd, buf, 0, IO_BYTES, i * IO_BYTES);
  closeSync(fd);
});
unlinkSync(big);
process.stdout.write(`${JSON.stringify({ creates, stats, unlinks, writeMiBs, readMiBs })}\n`);
