// chunkserver.maxConnections: a host that opens data-plane connections without end gets the ones past the bound
// closed at once, and the chunkserver keeps serving the connections it has (and new ones once some close).
import { expect } from 'chai';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { DataPlaneClient, SystemClock } from '@mooseng/core';
import { cleanupTempDirs } from '../support';
import { startChunkserver, type RunningChunkserver } from './helpers';

describe('chunkserver connection bound', function () {
  this.timeout(30_000);
  let cs: RunningChunkserver;
  const sockets: Socket[] = [];
  const clients: DataPlaneClient[] = [];

  before(async () => {
    cs = await startChunkserver({ maxConnections: 16 });
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    for (const c of clients) c.close();
    await cs?.stop();
    cleanupTempDirs();
  });

  /** Opens a socket and says whether the chunkserver closed it within `ms` without a byte sent. */
  async function openIdle(ms = 500): Promise<{ socket: Socket; closed: boolean }> {
    const [host, port] = cs.address.split(':');
    const socket = connect({ host, port: Number(port) });
    sockets.push(socket);
    socket.on('error', () => undefined);
    await once(socket, 'connect');
    const closed = await Promise.race([
      once(socket, 'close').then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), ms)),
    ]);
    return { socket, closed };
  }

  it('closes connections past the bound at once, and serves again once some close', async () => {
    const held: Socket[] = [];
    for (let i = 0; i < 16; i++) {
      const { socket, closed } = await openIdle(50);
      expect(closed, `connection ${i + 1} of 16`).to.equal(false);
      held.push(socket);
    }
    expect((await openIdle()).closed, 'the 17th').to.equal(true);
    for (const s of held.splice(0, 2)) s.destroy();
    await new Promise((r) => setTimeout(r, 200));
    const client = new DataPlaneClient({ clock: new SystemClock(), connectionsPerServer: 1 });
    clients.push(client);
    const err = await client.stat(cs.address, 12345).then(
      () => null,
      (e: unknown) => e as { code: string },
    );
    expect(err?.code, 'a request on a new connection is answered').to.equal('CHUNK_NOT_FOUND');
  });
});
