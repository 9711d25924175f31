// The fault harness: a writing and verifying workload on real mounts while seeded faults hit real processes; after
// each schedule every acknowledged write must read back byte for byte from every mount, and every chunk reach its goal.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { open, readFile, rmdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { CHUNK_HEADER_BYTES } from '@mooseng/block-store';
import { SeededRandom } from '@mooseng/core';
import { isRunning } from 'mooseng/dist/cluster/supervisor';
import { flipByte, tailFile } from '../../support';
import type { TestCluster } from '../harness';
import { fillDisk } from './disk-full-fault';
import { faultSchedule, type FaultKind, type FaultStep } from './fault-schedule';
import { cutOff, cutOffLeader, type AppliedFault } from './partition-fault';

/** How long the cluster may take to come back to goal after a schedule's last fault is healed, in milliseconds. */
export const RECOVERY_DEADLINE_MS = 120_000;
/** Most bytes the workload keeps acknowledged (and in memory, to check against) at once. */
export const WORKLOAD_MAX_TOTAL_BYTES = 192 * 1024 * 1024;

/**
 * The cluster the harness runs on: 3 masters (a leader fault leaves a quorum), 3 chunkservers at goal 2 (one fault
 * never takes every copy), 2 mounts; each node in its own network namespace (the partition faults), each chunkserver
 * disk a tmpfs (disk-full). 1 GiB of tmpfs stays above placement's 256 MiB floor with the workload's data on it; only
 * what is written takes memory (a filler takes the rest, for its hold).
 */
export const FAULT_CLUSTER = { masters: 3, chunkservers: 3, disks: 1, clients: 2, goal: 2, isolated: true, tmpfsDisks: '1g' } as const;

export interface HarnessOptions {
  seed: number;
  /** Faults per schedule. */
  faults: number;
  /** Largest file the workload writes, in bytes (above 64 MiB a file spans two chunks). */
  maxFileBytes: number;
  /** Kinds to draw from (all by default). */
  kinds?: readonly FaultKind[];
  log?: (line: string) => void;
}

/** What one schedule did and found. */
export interface ScheduleResult {
  index: number;
  steps: FaultStep[];
  writesAcknowledged: number;
  writesFailed: number;
  readsDuringFaults: number;
  readErrorsDuringFaults: number;
  bytesVerified: number;
  /** Bytes of acknowledged writes that did not read back exactly (or at all) after recovery. */
  bytesLost: number;
  /** Files whose check failed, with why. */
  problems: string[];
  recoveryMs: number;
}

/** One file as the workload knows it: the bytes every acknowledged write put there, or unknown after a failed one. */
interface ModelFile {
  name: string;
  content: Buffer | null;
}

/**
 * Runs schedules on one cluster. The cluster needs at least three masters for the leader faults to leave a quorum,
 * and at least three chunkservers at goal 2 so that one fault never takes every copy of a chunk.
 */
export class FaultHarness {
  private readonly files = new Map<string, ModelFile>();
  private nextFile = 1;
  private readonly log: (line: string) => void;
  /**
   * Chunks with a copy already damaged, over the whole run: one copy per chunk, so the faults never destroy every copy
   * themselves. Not per schedule: a flipped copy the scrubber has not found yet looks healthy to the recovery check,
   * so a later schedule could flip the other copy too, and a chunk whose every copy is damaged has lost bytes.
   */
  private readonly flipped = new Set<string>();
  /** Directories the partition probe asked a cut-off leader for in this schedule: none may exist after recovery. */
  private probeNames: string[] = [];

  constructor(
    private readonly cluster: TestCluster,
    private readonly options: HarnessOptions,
  ) {
    this.log = options.log ?? (() => undefined);
  }

  private get mounts(): string[] {
    return this.cluster.nodes('client').map((c) => c.mountPoint);
  }

  /** Runs schedule `index`: faults while the workload writes, then heal, recover, verify from every mount. */
  async runSchedule(index: number): Promise<ScheduleResult> {
    const steps = faultSchedule(this.options.seed, index, this.options.faults, this.options.kinds);
    const random = new SeededRandom(this.options.seed * 7_919 + index);
    const result: ScheduleResult = {
      index,
      steps,
      writesAcknowledged: 0,
      writesFailed: 0,
      readsDuringFaults: 0,
      readErrorsDuringFaults: 0,
      bytesVerified: 0,
      bytesLost: 0,
      problems: [],
      recoveryMs: 0,
    };
    let stop = false;
    const workload = this.workload(random, result, () => stop);
    const t0 = Date.now();
    this.probeNames = [];
    try {
      for (const [i, step] of steps.entries()) {
        const wait = step.atMs - (Date.now() - t0);
        if (wait > 0) await sleep(wait);
        const heal = await this.apply(step, `partition-probe-${this.options.seed}-${index}-${i}`, result.problems);
        this.log(`  schedule ${index}: ${step.kind}${heal.victim ? ` ${heal.victim}` : ''} for ${step.holdMs} ms`);
        await sleep(step.holdMs);
        await heal.undo();
      }
    } finally {
      stop = true;
      await workload;
    }
    const r0 = Date.now();
    await this.waitRecovered();
    result.recoveryMs = Date.now() - r0;
    await this.verifyAll(result);
    await this.removeProbeDirectories();
    await this.checkEveryNodeRunning(result);
    return result;
  }

  /** Writes new files and overwrites ranges of old ones through the first mount, and reads back through the others. */
  private async workload(random: SeededRandom, result: ScheduleResult, stopped: () => boolean): Promise<void> {
    const [writer, ...readers] = this.mounts;
    if (!writer) throw new Error('the fault harness needs at least one mount');
    while (!stopped()) {
      const known = [...this.files.values()].filter((f) => f.content !== null);
      const total = known.reduce((n, f) => n + f.content!.length, 0);
      const roll = random.next();
      if (total > WORKLOAD_MAX_TOTAL_BYTES && known.length > 0) {
        await this.remove(writer, known[random.int(known.length)]!);
      } else if (roll < 0.45 || known.length === 0) {
        await this.writeWhole(writer, this.newOrUnknownFile(), random, result);
      } else if (roll < 0.8) {
        await this.overwriteRange(writer, known[random.int(known.length)]!, random, result);
      } else if (known.length > 0) {
        const file = known[random.int(known.length)]!;
        const mount = readers.length > 0 ? readers[random.int(readers.length)]! : writer;
        result.readsDuringFaults++;
        try {
          const got = await readFile(join(mount, file.name));
          // A wrong byte is never tolerated, fault or not; an error is (the replica or master may be down).
          if (file.content !== null && !got.equals(file.content))
            result.problems.push(
              `${file.name}: read during faults from ${mount} returned wrong bytes (${describeDiff(file.content, got)})`,
            );
        } catch {
          result.readErrorsDuringFaults++;
        }
      }
    }
  }

  private newOrUnknownFile(): ModelFile {
    const unknown = [...this.files.values()].find((f) => f.content === null);
    if (unknown) return unknown;
    const file: ModelFile = { name: `fault-file-${this.nextFile++}`, content: null };
    this.files.set(file.name, file);
    return file;
  }

  /** Writes a whole file, fsyncs and closes it; only if all three succeed is its content acknowledged. */
  private async writeWhole(mount: string, file: ModelFile, random: SeededRandom, result: ScheduleResult): Promise<void> {
    const size = 1 + random.int(this.options.maxFileBytes);
    const data = seededBytes(random, size);
    file.content = null;
    try {
      const fh = await open(join(mount, file.name), 'w');
      try {
        await fh.write(data, 0, data.length, 0);
        await fh.sync();
      } finally {
        await fh.close();
      }
      file.content = data;
      result.writesAcknowledged++;
    } catch {
      result.writesFailed++;
    }
  }

  /** Overwrites a range of an acknowledged file (possibly growing it); unknown afterwards if any step failed. */
  private async overwriteRange(mount: string, file: ModelFile, random: SeededRandom, result: ScheduleResult): Promise<void> {
    const old = file.content!;
    const offset = random.int(old.length + 1);
    const length = 1 + random.int(Math.min(this.options.maxFileBytes, 4 * 1024 * 1024));
    const data = seededBytes(random, length);
    const next = Buffer.alloc(Math.max(old.length, offset + length));
    old.copy(next);
    data.copy(next, offset);
    // From here until the close succeeds, the file may hold either version or a mix: it is not checked.
    file.content = null;
    try {
      const fh = await open(join(mount, file.name), 'r+');
      try {
        await fh.write(data, 0, data.length, offset);
        await fh.sync();
      } finally {
        await fh.close();
      }
      file.content = next;
      result.writesAcknowledged++;
    } catch {
      result.writesFailed++;
    }
  }

  private async remove(mount: string, file: ModelFile): Promise<void> {
    try {
      await unlink(join(mount, file.name));
      this.files.delete(file.name);
    } catch {
      file.content = null; // gone or not: rewritten whole before it is checked again
    }
  }

  /** Applies one fault; the returned undo heals it. Checks a fault makes of the system itself go to `problems`. */
  private async apply(step: FaultStep, probeName: string, problems: string[]): Promise<AppliedFault> {
    const c = this.cluster;
    const chunkservers = c.nodes('chunkserver');
    const pickChunkserver = () => chunkservers[step.pick % chunkservers.length]!;
    switch (step.kind) {
      case 'kill-leader':
      case 'kill-follower': {
        const leader = await this.leaderId();
        const followers = c.nodes('master').filter((m) => m.id !== leader);
        const victim = step.kind === 'kill-leader' ? leader : followers[step.pick % followers.length]!.id;
        await c.stopNode(victim, 'kill');
        return { victim, undo: () => c.restartNode(victim) };
      }
      case 'kill-chunkserver': {
        const victim = pickChunkserver().id;
        await c.stopNode(victim, 'kill');
        return { victim, undo: () => c.restartNode(victim) };
      }
      case 'pause-leader':
      case 'pause-chunkserver': {
        const victim = step.kind === 'pause-leader' ? await this.leaderId() : pickChunkserver().id;
        const pid = c.node(victim).pid;
        if (pid === null) return { victim: `${victim} (not running)`, undo: async () => undefined };
        process.kill(pid, 'SIGSTOP');
        return { victim, undo: async () => void process.kill(pid, 'SIGCONT') };
      }
      case 'flip-byte': {
        const victim = pickChunkserver();
        const flipped = this.rotOneByte(victim.disks, step.pick);
        return { victim: `${victim.id} ${flipped ?? '(no chunk file yet)'}`, undo: async () => undefined };
      }
      case 'stale-restart': {
        const victim = pickChunkserver();
        await c.stopNode(victim.id, 'term');
        for (const d of victim.disks) if (existsSync(d)) cpSync(d, `${d}.saved`, { recursive: true });
        await c.restartNode(victim.id);
        return {
          victim: victim.id,
          undo: async () => {
            await c.stopNode(victim.id, 'term');
            for (const d of victim.disks) {
              if (!existsSync(`${d}.saved`)) continue;
              // The contents, not the directory itself: it may be a mount point (a tmpfs for disk-full).
              for (const entry of readdirSync(d)) rmSync(join(d, entry), { recursive: true, force: true });
              cpSync(`${d}.saved`, d, { recursive: true });
              rmSync(`${d}.saved`, { recursive: true, force: true });
            }
            await c.restartNode(victim.id);
          },
        };
      }
      case 'disk-full':
        return fillDisk(c, pickChunkserver().id, problems);
      case 'partition-leader': {
        const leader = await this.leaderId();
        this.probeNames.push(probeName);
        return cutOffLeader(c, leader, probeName, problems, this.log);
      }
      case 'partition-follower': {
        const leader = await this.leaderId();
        const followers = c.nodes('master').filter((m) => m.id !== leader);
        return cutOff(c, followers[step.pick % followers.length]!.id);
      }
      case 'partition-chunkserver':
        return cutOff(c, pickChunkserver().id);
      case 'partition-mount': {
        const clients = c.nodes('client');
        return cutOff(c, clients[step.pick % clients.length]!.id);
      }
    }
  }

  /**
   * The probe's mkdirs go, whether they were applied or not. Either is right for a proposal whose outcome the probe
   * was never told: the cut-off leader's entry can reach a follower from its socket buffers after the heal, and a
   * later leader commits it (Raft commits what a majority holds). What must not happen, an acknowledgement while
   * cut off, cutOffLeader checks.
   */
  private async removeProbeDirectories(): Promise<void> {
    for (const name of this.probeNames) {
      const applied = existsSync(join(this.mounts[0]!, name));
      this.log(`  probe ${name}: ${applied ? 'applied after the heal' : 'not applied'}`);
      if (applied) await rmdir(join(this.mounts[0]!, name)).catch(() => undefined);
    }
  }

  /**
   * Every node the harness did not stop must still run: a master that crashed leaves a cluster of two, which still
   * recovers, so nothing else would tell. A dead one is a problem, and is started again for the next schedule.
   */
  private async checkEveryNodeRunning(result: ScheduleResult): Promise<void> {
    for (const node of this.cluster.state.nodes) {
      if (node.pid === null || isRunning(node.pid)) continue;
      result.problems.push(`${node.id} (pid ${node.pid}) exited on its own; the end of ${node.logPath}:\n${tailFile(node.logPath, 15)}`);
      await this.cluster
        .restartNode(node.id)
        .catch((err: unknown) => result.problems.push(`${node.id} did not start again: ${(err as Error).message}`));
    }
  }

  /** Flips one byte in the data of one chunk file on these disks; returns the file's name, or null if none has data. */
  private rotOneByte(disks: readonly string[], pick: number): string | null {
    const candidates: string[] = [];
    for (const disk of disks) {
      const root = join(disk, 'chunks');
      if (!existsSync(root)) continue;
      for (const sub of readdirSync(root)) {
        for (const name of readdirSync(join(root, sub))) {
          const path = join(root, sub, name);
          const chunkId = name.split('_')[0]!;
          if (!this.flipped.has(chunkId) && statSync(path).size > CHUNK_HEADER_BYTES) candidates.push(path);
        }
      }
    }
    if (candidates.length === 0) return null;
    const path = candidates[pick % candidates.length]!;
    const size = statSync(path).size;
    const at = CHUNK_HEADER_BYTES + (pick % (size - CHUNK_HEADER_BYTES));
    flipByte(path, at);
    this.flipped.add(path.split('/').pop()!.split('_')[0]!);
    return `${path.split('/').pop()}@${at}`;
  }

  /** The leader's id, as the first master that answers /status says. */
  private async leaderId(): Promise<string> {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      // A master cut off may still call itself (or another) leader: only those the harness can reach are asked.
      const reachable = (id: string) => !this.cluster.network?.isCut(id);
      for (const m of this.cluster.nodes('master')) {
        if (m.pid === null || !reachable(m.id)) continue;
        const s = await this.cluster.http(m.id, '/status').catch(() => null);
        const leader = (s?.json as { leader?: string } | null)?.leader;
        if (leader && reachable(leader) && this.cluster.nodes('master').some((x) => x.id === leader && x.pid !== null)) return leader;
      }
      await sleep(100);
    }
    throw new Error('no leader within 30 s');
  }

  /** Waits for a leader that reports every chunk at its goal and none missing. */
  private async waitRecovered(): Promise<void> {
    const deadline = Date.now() + RECOVERY_DEADLINE_MS;
    let last = '';
    while (Date.now() < deadline) {
      try {
        const leader = await this.leaderId();
        const s = (await this.cluster.http(leader, '/status')).json as { underGoalChunks: number | null; missingChunks: number | null };
        last = `under goal ${s.underGoalChunks}, missing ${s.missingChunks}`;
        if (s.underGoalChunks === 0 && s.missingChunks === 0) return;
      } catch (err) {
        last = (err as Error).message;
      }
      await sleep(500);
    }
    throw new Error(`chunks not back at goal within ${RECOVERY_DEADLINE_MS} ms (${last})`);
  }

  /** Reads every acknowledged file from every mount and compares it with the model. */
  private async verifyAll(result: ScheduleResult): Promise<void> {
    for (const file of this.files.values()) {
      if (file.content === null) continue;
      for (const mount of this.mounts) {
        try {
          const got = await readFile(join(mount, file.name));
          if (got.equals(file.content)) {
            result.bytesVerified += got.length;
          } else {
            result.bytesLost += file.content.length;
            result.problems.push(`${file.name} on ${mount}: ${describeDiff(file.content, got)}`);
          }
        } catch (err) {
          result.bytesLost += file.content.length;
          result.problems.push(`${file.name} on ${mount}: ${(err as Error).message}`);
        }
      }
    }
  }
}

/** Pseudo-random bytes from the seed (fast: one 32-bit draw per 4 bytes). */
function seededBytes(random: SeededRandom, size: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  let i = 0;
  for (; i + 4 <= size; i += 4) out.writeUInt32LE(random.int(2 ** 32), i);
  for (; i < size; i++) out[i] = random.int(256);
  return out;
}

function describeDiff(want: Buffer, got: Buffer): string {
  if (want.length !== got.length) return `size ${got.length}, expected ${want.length}`;
  let first = 0;
  while (first < want.length && want[first] === got[first]) first++;
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex').slice(0, 12);
  return `first difference at byte ${first} (sha ${sha(got)}, expected ${sha(want)})`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
