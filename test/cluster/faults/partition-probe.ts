// The partition probe, a child process run inside a master's network namespace: it opens a session with that master
// while the network is whole, and once told (a line on stdin, after the harness cut the master off) asks it for one
// mkdir, printing whether the master acknowledged it. A master cut off from its quorum must never acknowledge it.
//   node partition-probe.js <master host:port> <directory name>   (MOOSENG_CA_FILE: the cluster CA, over TLS)
// Prints `ready` once the session is open, then one JSON line: { outcome: 'acknowledged' | 'refused', code? }.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { createInterface } from 'node:readline';
import { MasterClient } from '@mooseng/client';
import { S_IFDIR, SystemClock, isMoosengError, silentLogger } from '@mooseng/core';

/** What the probe prints last. */
export interface ProbeOutcome {
  outcome: 'acknowledged' | 'refused';
  /** The error code of a refusal. */
  code?: string;
}

const ROOT_INO = 1;

async function main(): Promise<void> {
  const [master, name] = process.argv.slice(2);
  if (!master || !name) throw new Error('usage: partition-probe <master host:port> <directory name>');
  // Only this master: a probe that found the new leader would prove nothing about the old one.
  const client = new MasterClient({
    masters: [master],
    logger: silentLogger,
    clock: new SystemClock(),
    sessionInfo: 'partition-probe',
    host: hostname(),
    tls: process.env.MOOSENG_CA_FILE ? { ca: readFileSync(process.env.MOOSENG_CA_FILE) } : null,
  });
  await client.connect();
  console.log('ready');
  const lines = createInterface({ input: process.stdin });
  let told = false;
  for await (const line of lines) if ((told = line.trim() === 'go')) break;
  // The harness went away before the cut (its stdin closed): nothing to ask.
  if (!told) process.exit(0);
  let result: ProbeOutcome;
  try {
    const reply = await client.call('Mkdir', { parent: ROOT_INO, name, mode: S_IFDIR | 0o755, umask: 0 }, { uid: 0, gids: [0] });
    result = reply.attr ? { outcome: 'acknowledged' } : { outcome: 'refused', code: 'no attributes' };
  } catch (err) {
    result = { outcome: 'refused', code: isMoosengError(err) ? err.code : (err as Error).message };
  }
  console.log(JSON.stringify(result));
  // The harness kills the probe once it has its answer or its time is up; a refused call may be retrying still.
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(2);
});
