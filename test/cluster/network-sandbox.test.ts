// The network sandbox the partition faults use: a cut node really reaches nobody and nobody reaches it, until healed;
// a sandbox leaves no namespace or link behind. And the partition-leader checks do fail where they should: a master
// that is its own quorum keeps leading when cut off and acknowledges the probe's mkdir.
import { expect } from 'chai';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { cleanupTempDirs } from '../support';
import { NetworkSandbox } from '../support/netns';
import { cutOffLeader } from './faults/partition-fault';
import { TestCluster } from './harness';

/** Port the echo server listens on inside its namespace (namespaces have ports of their own). */
const ECHO_PORT = 7_000;
/** How long a connection attempt may take before the peer counts as unreachable. */
const CONNECT_TIMEOUT_MS = 1_000;

/** Whether a TCP connection to address:port opens and echoes within the timeout, tried from `enter` (a command prefix) or here. */
function reaches(address: string, enter: string[] = []): Promise<boolean> {
  if (enter.length === 0) {
    return new Promise((resolve) => {
      const socket = connect({ host: address, port: ECHO_PORT, timeout: CONNECT_TIMEOUT_MS });
      socket.once('data', () => (socket.destroy(), resolve(true)));
      socket.once('timeout', () => (socket.destroy(), resolve(false)));
      socket.once('error', () => resolve(false));
    });
  }
  const script = `const s=require('net').connect({host:'${address}',port:${ECHO_PORT},timeout:${CONNECT_TIMEOUT_MS}});s.once('data',()=>process.exit(0));s.once('timeout',()=>process.exit(1));s.once('error',()=>process.exit(1))`;
  return new Promise((resolve) => {
    const child = spawn(enter[0]!, [...enter.slice(1), process.execPath, '-e', script], { stdio: 'ignore' });
    child.once('exit', (code) => resolve(code === 0));
  });
}

describe('network sandbox (namespaces, processes)', function () {
  this.timeout(120_000);
  before(function () {
    if (process.getuid?.() !== 0) this.skip(); // namespaces and bridges need root
  });

  describe('one namespace per node on a bridge', () => {
    let sandbox: NetworkSandbox | undefined;
    const servers: ChildProcess[] = [];
    after(() => {
      for (const s of servers) s.kill('SIGKILL');
      sandbox?.destroy();
    });

    it('cuts a node off from the others and from the test process both ways, heals it, and removes everything it made', async () => {
      sandbox = NetworkSandbox.create(['a', 'b']);
      const [a, b] = sandbox.list();
      for (const h of [a!, b!]) {
        const server = `require('net').createServer((s)=>s.end('x')).listen(${ECHO_PORT},'${h.address}',()=>console.log('up'))`;
        const enter = sandbox.enter(h.id);
        const child = spawn(enter[0]!, [...enter.slice(1), process.execPath, '-e', server], { stdio: ['ignore', 'pipe', 'ignore'] });
        servers.push(child);
        await new Promise((r) => child.stdout!.once('data', r));
      }
      expect(await reaches(a!.address), 'test process → a').to.equal(true);
      expect(await reaches(b!.address, sandbox.enter('a')), 'a → b').to.equal(true);

      sandbox.cutOff('b');
      expect(sandbox.isCut('b')).to.equal(true);
      expect(await reaches(b!.address), 'test process → cut b').to.equal(false);
      expect(await reaches(b!.address, sandbox.enter('a')), 'a → cut b').to.equal(false);
      expect(await reaches(a!.address, sandbox.enter('b')), 'cut b → a').to.equal(false);
      expect(await reaches(b!.address, sandbox.enter('b')), 'cut b → itself').to.equal(true);
      expect(await reaches(a!.address), 'test process → a, still').to.equal(true);

      sandbox.heal('b');
      expect(await reaches(b!.address, sandbox.enter('a')), 'a → healed b').to.equal(true);
      expect(await reaches(a!.address, sandbox.enter('b')), 'healed b → a').to.equal(true);

      for (const s of servers) s.kill('SIGKILL');
      await new Promise((r) => setTimeout(r, 200));
      sandbox.destroy();
      const names = () =>
        execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }) + execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' });
      for (let i = 0; i < 20 && names().includes(`${sandbox.runId}-`); i++) await new Promise((r) => setTimeout(r, 100));
      expect(names()).not.to.contain(`${sandbox.runId}-`);
    });
  });

  describe('the partition-leader checks', () => {
    let cluster: TestCluster | undefined;
    after(async () => {
      await cluster?.stop();
      cleanupTempDirs();
    });

    it('report a cut-off master that is its own quorum: it stays leader and acknowledges the mkdir', async () => {
      // One master is a quorum by itself, so being cut off changes nothing for it: exactly what the checks must catch
      // in a cluster of three.
      cluster = await TestCluster.start({ masters: 1, chunkservers: 1, clients: 0, goal: 1, isolated: true });
      const problems: string[] = [];
      const fault = await cutOffLeader(cluster, 'm1', 'probe-of-a-lone-master', problems);
      expect(fault.victim).to.equal('m1');
      await fault.undo();
      expect(problems.join('\n')).to.contain('still called itself leader');
      expect(problems.join('\n')).to.contain('acknowledged the probe');
      expect(cluster.network!.isCut('m1')).to.equal(false);
    });
  });
});
