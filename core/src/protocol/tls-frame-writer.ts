// Frames onto a TLS socket as one buffer per write: what keeps TLS on the data plane near the cost of the cipher.
import type { Socket } from 'node:net';
import type { FramePool } from './frame';

/**
 * Writes `parts` (a frame's header and payload, or several whole frames) to a TLS socket as one buffer taken from
 * `pool`, given back once the socket is done with it; returns what socket.write returned (false: wait for 'drain').
 * `written` is called once the socket no longer refers to `parts` (nor to the copy).
 *
 * Why: node's TLS copies the buffers of a multi-buffer write (cork, writev) into one fresh allocation before it
 * encrypts them. For a 1 MiB frame that allocation is an mmap, 256 page faults and a munmap, per frame: measured, a
 * client writing over TLS spent 10 times the system time of plain TCP and 6 times its CPU per GiB, almost all of it
 * there (docs/benchmarks.md, "TLS on the data plane"). A single buffer is encrypted where it lies; copying the parts
 * into a warm pooled one costs one memcpy.
 */
export function writeCoalesced(socket: Socket, parts: readonly Buffer[], pool: FramePool, written?: () => void): boolean {
  if (parts.length === 1) return socket.write(parts[0]!, written && (() => written()));
  let length = 0;
  for (const p of parts) length += p.length;
  const frame = pool.take(length);
  let at = 0;
  for (const p of parts) at += p.copy(frame, at);
  return socket.write(frame, () => {
    pool.give(frame);
    written?.();
  });
}
