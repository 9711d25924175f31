// CorruptingProxy: a real TCP proxy in front of a data-plane port that flips a byte of chosen frames in transit,
// standing for a faulty NIC, switch or memory between two peers (what TCP's 16-bit checksum lets through).
import { createServer, connect, type Server, type Socket } from 'node:net';

/** Bytes of a data-plane frame header (magic, type, reserved, request id, payload length). */
const HEADER_BYTES = 16;

/**
 * Follows the frame boundaries of one direction of a data-plane stream and flips the last payload byte of the frames
 * `pick` chooses. The last byte is chunk data in every frame that carries data (writes and read replies).
 */
class FrameTap {
  private readonly header = Buffer.alloc(HEADER_BYTES);
  private headerFill = 0;
  private payloadLeft = 0;
  private flip = false;

  constructor(private readonly pick: (type: number, payloadLength: number) => boolean) {}

  pass(chunk: Buffer): Buffer {
    const out = Buffer.from(chunk); // the socket's chunk is not ours to change
    let pos = 0;
    while (pos < out.length) {
      if (this.payloadLeft === 0) {
        const n = Math.min(HEADER_BYTES - this.headerFill, out.length - pos);
        out.copy(this.header, this.headerFill, pos, pos + n);
        this.headerFill += n;
        pos += n;
        if (this.headerFill < HEADER_BYTES) break;
        this.headerFill = 0;
        this.payloadLeft = this.header.readUInt32BE(12);
        this.flip = this.payloadLeft > 0 && this.pick(this.header.readUInt16BE(4), this.payloadLeft);
        continue;
      }
      const n = Math.min(this.payloadLeft, out.length - pos);
      this.payloadLeft -= n;
      pos += n;
      if (this.flip && this.payloadLeft === 0) out[pos - 1] = out[pos - 1]! ^ 0x5a;
    }
    return out;
  }
}

/** A proxy to one data-plane address; `corrupt(type, n)` arms it to damage the next n frames of that type. */
export class CorruptingProxy {
  /** Frames damaged so far, by type. */
  readonly corrupted = new Map<number, number>();
  private readonly armed = new Map<number, number>();
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    /** "127.0.0.1:port" to dial instead of the target. */
    readonly address: string,
  ) {}

  /** Listens on a free port of 127.0.0.1 and forwards every connection to `target` ("host:port"). */
  static async start(target: string): Promise<CorruptingProxy> {
    const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
    let proxy: CorruptingProxy | null = null;
    const server = createServer((downstream) => proxy!.accept(downstream, host, port));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    proxy = new CorruptingProxy(server, `127.0.0.1:${(server.address() as { port: number }).port}`);
    return proxy;
  }

  /** Damages the next `count` frames of `type` (in either direction: requests go up, replies come down). */
  corrupt(type: number, count = 1): void {
    this.armed.set(type, (this.armed.get(type) ?? 0) + count);
  }

  /** Frames of `type` damaged so far. */
  count(type: number): number {
    return this.corrupted.get(type) ?? 0;
  }

  /** Stops damaging frames. */
  disarm(): void {
    this.armed.clear();
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(downstream: Socket, host: string, port: number): void {
    const upstream = connect({ host, port });
    for (const s of [downstream, upstream]) {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      s.on('error', () => {
        downstream.destroy();
        upstream.destroy();
      });
    }
    const pick = (type: number): boolean => {
      const left = this.armed.get(type) ?? 0;
      if (left === 0) return false;
      this.armed.set(type, left - 1);
      this.corrupted.set(type, this.count(type) + 1);
      return true;
    };
    const up = new FrameTap(pick);
    const down = new FrameTap(pick);
    downstream.on('data', (chunk: Buffer) => upstream.write(up.pass(chunk)));
    upstream.on('data', (chunk: Buffer) => downstream.write(down.pass(chunk)));
    downstream.on('close', () => upstream.destroy());
    upstream.on('close', () => downstream.destroy());
  }
}
