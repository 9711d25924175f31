// A follower process of the Raft benchmark: joins the leader's cluster and runs until its stdin closes.
import { RaftConsensus, type RaftSyncMode } from '@mooseng/plugin-replication-raft';
import { benchOptions } from './bench-options';
import { CounterStateMachine } from './counter-state-machine';

async function main(): Promise<void> {
  const [id, address, leaderId, leaderAddress, dir, sync] = process.argv.slice(2);
  const consensus = new RaftConsensus(benchOptions({ id, address }, [{ id: leaderId, address: leaderAddress }], dir, sync as RaftSyncMode));
  await consensus.start(new CounterStateMachine());
  process.stdout.write('ready\n');
  // The parent holds our stdin open; when it exits (or ends it), so do we.
  process.stdin.on('end', () => {
    consensus.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
  process.stdin.resume();
}

main().catch((err) => {
  process.stderr.write(`bench follower failed: ${(err as Error).stack}\n`);
  process.exit(1);
});
