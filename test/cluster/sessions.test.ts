// Client sessions end with their clients: a mount killed without unmounting loses its session after the timeout,
// and the file it held open (unlinked meanwhile) is freed; a client that is alive but idle keeps its session.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MasterClient } from '@mooseng/client';
import { ErrorCodes, isMoosengError, silentLogger } from '@mooseng/core';
import { MAX_SESSION_INFO_BYTES } from '@mooseng/master';
import { cleanupTempDirs, killTracked, spawnTracked, waitFor } from '../support';
import { ROOT, TestCluster } from './harness';

interface Status {
  sessions: number;
  chunks: number;
  events: Array<{ message: string; fields?: Record<string, string> }>;
}

describe('client sessions (processes)', function () {
  this.timeout(180_000);
  let cluster: TestCluster;

  before(async () => {
    // The local topology sets master.sessionTimeoutMs to 15 s.
    cluster = await TestCluster.start({ masters: 1, chunkservers: 2, disks: 1, clients: 1, goal: 1 });
  });
  after(async () => {
    await killTracked();
    await cluster?.stop();
    cleanupTempDirs();
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.error(cluster.logs());
  });

  it("tells clients an fsync needs no Sync barrier when the masters acknowledge only what is on a majority's disks (sync: commit)", async () => {
    const client = await cluster.client();
    expect(client.durableWhenAcknowledged).to.equal(true);
    await client.close(); // the next test counts the sessions
  });

  it("expires a killed mount's session, freeing the unlinked file it held open, and keeps an idle live one", async () => {
    const status = async () => (await cluster.http('m1', '/status')).json as Status;
    const idle = await cluster.client(); // after the unlink below, sends nothing but its keep-alives
    const mount = cluster.nodes('client')[0]!.mountPoint;
    const path = join(mount, 'held-open');
    writeFileSync(path, randomBytes(1024 * 1024));
    // A process on the mount holds the file open; another client unlinks it (on the mount itself the kernel would
    // only hide it while open): the master must keep its chunk while the mount's session holds it.
    const holder = spawnTracked('bash', ['-c', `exec 3<"${path}"; exec sleep 600`]);
    await waitFor('the file to be open', () => existsSync(`/proc/${holder.pid}/fd/3`), 5_000);
    await idle.call('Unlink', { parent: 1, name: 'held-open' }, ROOT);
    await new Promise((r) => setTimeout(r, 2_000));
    const before = await status();
    const seenBefore = `/status events: ${JSON.stringify(before.events.slice(0, 6))}`;
    expect(before.sessions, seenBefore).to.equal(2);
    expect(before.chunks, seenBefore).to.equal(1);

    await cluster.stopNode('client1', 'kill'); // no CloseSession: the master only stops hearing from it
    const after = await waitFor(
      "the killed mount's session to expire and its file to be freed",
      async () => {
        const s = await status();
        return s.sessions === 1 && s.chunks === 0 ? s : null;
      },
      60_000,
      500,
    ).catch(async (err: Error) => {
      const s = await status();
      throw new Error(
        `${err.message}; /status: sessions ${s.sessions}, chunks ${s.chunks}, events ${JSON.stringify(s.events.slice(0, 6))}`,
      );
    });
    const expired = after.events.find((e) => e.message.startsWith('client session expired'));
    expect(expired, JSON.stringify(after.events.slice(0, 5))).to.not.equal(undefined);
    expect(expired!.fields!.openFiles).to.equal('1');

    // The idle client was silent but for its keep-alives for longer than the timeout: its session still works.
    const sessionBefore = idle.sessionId;
    await idle.call('GetAttr', { ino: 1 }, ROOT);
    await idle.call('Mkdir', { parent: 1, name: 'still-here', mode: 0o040755, umask: 0 }, ROOT);
    expect(idle.sessionId).to.equal(sessionBefore);
  });

  it('refuses a session whose description would bloat the replicated state, and records nothing', async () => {
    const sessions = async () => ((await cluster.http('m1', '/status')).json as Status).sessions;
    const before = await sessions();
    const hostile = new MasterClient({
      masters: cluster.masterAddresses(),
      logger: silentLogger,
      clock: cluster.clock,
      sessionInfo: 'x'.repeat(1_000_000),
      host: 'hostile',
      tls: cluster.dialTls(),
    });
    try {
      const err = await hostile.connect().then(
        () => null,
        (e: unknown) => e,
      );
      expect(isMoosengError(err) && err.code, 'the error code').to.equal(ErrorCodes.INVALID_ARGUMENT);
      expect((err as Error).message).to.include(`at most ${MAX_SESSION_INFO_BYTES} are kept`);
    } finally {
      await hostile.close();
    }
    expect(await sessions(), 'sessions on the master').to.equal(before);
  });
});
