// NetworkSandbox: one network namespace per node on a private bridge, so a test can cut one node off for real and
// heal it; everything it makes carries one run's name prefix and is deleted by that prefix.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/** The private range the sandboxes use: 10.213.<subnet>.0/24, one subnet per sandbox. */
export const SANDBOX_NETWORK_PREFIX = '10.213';
/** The address the test process itself has on a sandbox's bridge (10.213.<subnet>.254). */
export const SANDBOX_HOST_OCTET = 254;
/** Most nodes one sandbox holds (addresses .1 to .253). */
export const SANDBOX_MAX_NODES = 253;

/** One node's place in the sandbox. */
export interface SandboxHost {
  id: string;
  /** Its network namespace (under /run/netns). */
  namespace: string;
  /** Its address, on the namespace's eth0. */
  address: string;
}

function run(args: readonly string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * Each node lives in a namespace `<runId>-<id>` with one veth pair: `eth0` inside, `<runId>-h<n>` outside, a port of
 * the bridge `<runId>-br` that carries the whole cluster and the test process's own address. A cut moves the node's
 * outside end to the bridge `<runId>-cut`, which has no other port: the node's link stays up (as behind a dead
 * switch port) and every frame it sends or should receive goes nowhere, in both directions, while the node can still
 * reach itself. Cutting by `tc netem` or `tc` drop actions would be the usual way, but this kernel has neither
 * (sch_netem and the tc actions are not built), and a bridge is.
 *
 * Needs root and iproute2. Names are unique per sandbox (a random run id), so parallel runs never touch each other's.
 */
export class NetworkSandbox {
  private readonly hosts = new Map<string, SandboxHost & { port: string }>();
  private readonly cut = new Set<string>();
  private destroyed = false;

  private constructor(
    /** The prefix of every name this sandbox makes (at most 8 characters: interface names are limited to 15). */
    readonly runId: string,
    readonly subnet: number,
  ) {}

  /** Creates the bridges and one namespace per id; on any failure removes what it made and throws. */
  static create(ids: readonly string[]): NetworkSandbox {
    if (ids.length > SANDBOX_MAX_NODES) throw new Error(`a network sandbox holds at most ${SANDBOX_MAX_NODES} nodes, not ${ids.length}`);
    const sandbox = new NetworkSandbox(`mf${randomBytes(3).toString('hex').slice(0, 5)}`, freeSubnet());
    try {
      sandbox.build(ids);
    } catch (err) {
      sandbox.destroy();
      throw err;
    }
    return sandbox;
  }

  /** The test process's own address on the bridge. */
  get hostAddress(): string {
    return `${SANDBOX_NETWORK_PREFIX}.${this.subnet}.${SANDBOX_HOST_OCTET}`;
  }

  private get bridge(): string {
    return `${this.runId}-br`;
  }

  private get voidBridge(): string {
    return `${this.runId}-cut`;
  }

  private build(ids: readonly string[]): void {
    for (const br of [this.bridge, this.voidBridge]) {
      run(['link', 'add', br, 'type', 'bridge']);
      run(['link', 'set', br, 'up']);
    }
    run(['addr', 'add', `${this.hostAddress}/24`, 'dev', this.bridge]);
    ids.forEach((id, i) => {
      const host = {
        id,
        namespace: `${this.runId}-${id}`,
        address: `${SANDBOX_NETWORK_PREFIX}.${this.subnet}.${i + 1}`,
        port: `${this.runId}-h${i + 1}`,
      };
      this.hosts.set(id, host);
      run(['netns', 'add', host.namespace]);
      run(['link', 'add', host.port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', host.namespace]);
      run(['link', 'set', host.port, 'master', this.bridge, 'up']);
      run(['-n', host.namespace, 'addr', 'add', `${host.address}/24`, 'dev', 'eth0']);
      run(['-n', host.namespace, 'link', 'set', 'eth0', 'up']);
      run(['-n', host.namespace, 'link', 'set', 'lo', 'up']);
    });
  }

  host(id: string): SandboxHost {
    const h = this.hosts.get(id);
    if (!h) throw new Error(`no node ${id} in network sandbox ${this.runId}`);
    return { id: h.id, namespace: h.namespace, address: h.address };
  }

  /** Every node, in the order given to create(). */
  list(): SandboxHost[] {
    return [...this.hosts.keys()].map((id) => this.host(id));
  }

  /** The command prefix that runs a program inside the node's network namespace (and only that namespace). */
  enter(id: string): string[] {
    // nsenter, not `ip netns exec`: that one also unshares the mount namespace, which would hide a FUSE mount made
    // inside from the test process.
    return ['nsenter', `--net=/run/netns/${this.host(id).namespace}`, '--'];
  }

  /** Cuts the node off from every other node and from the test process, until heal(). */
  cutOff(id: string): void {
    const h = this.hosts.get(id);
    if (!h) throw new Error(`no node ${id} in network sandbox ${this.runId}`);
    run(['link', 'set', h.port, 'master', this.voidBridge]);
    this.cut.add(id);
  }

  /** Joins a cut node to the cluster's bridge again. */
  heal(id: string): void {
    const h = this.hosts.get(id);
    if (!h) throw new Error(`no node ${id} in network sandbox ${this.runId}`);
    run(['link', 'set', h.port, 'master', this.bridge]);
    this.cut.delete(id);
  }

  isCut(id: string): boolean {
    return this.cut.has(id);
  }

  /**
   * Deletes every namespace and link whose name starts with this sandbox's run id (also those a failed create left
   * behind). Idempotent. Processes still running inside keep their namespace alive until they exit: stop them first.
   */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    removeSandboxLeftovers(this.runId);
  }
}

/** Deletes the namespaces and links named `<runId>-...` (and no others). */
export function removeSandboxLeftovers(runId: string): void {
  if (!/^mf[0-9a-f]{5}$/.test(runId)) throw new Error(`not a network sandbox run id: ${runId}`);
  const prefix = `${runId}-`;
  const namespaces = run(['netns', 'list'])
    .split('\n')
    .map((l) => l.split(' ')[0]!)
    .filter((n) => n.startsWith(prefix));
  for (const ns of namespaces) tryRun(['netns', 'del', ns]);
  const links = run(['-o', 'link', 'show'])
    .split('\n')
    .map((l) => l.split(': ')[1]?.split('@')[0] ?? '')
    .filter((n) => n.startsWith(prefix));
  // Bridges last: a veth end still in one is deleted with its namespace (or here).
  links.sort((a, b) => Number(a.endsWith('-br') || a.endsWith('-cut')) - Number(b.endsWith('-br') || b.endsWith('-cut')));
  for (const link of links) tryRun(['link', 'del', link]);
}

function tryRun(args: readonly string[]): void {
  try {
    run(args);
  } catch {
    // already gone (a veth goes with its peer's namespace)
  }
}

/** A /24 of 10.213.0.0/16 that no interface of this host has an address in. */
function freeSubnet(): number {
  const used = new Set<number>();
  for (const m of run(['-4', '-o', 'addr', 'show']).matchAll(/inet 10\.213\.(\d+)\./g)) used.add(Number(m[1]));
  const start = 1 + (randomBytes(1)[0]! % 250);
  for (let i = 0; i < 250; i++) {
    const s = 1 + ((start + i) % 250);
    if (!used.has(s)) return s;
  }
  throw new Error(`every subnet of ${SANDBOX_NETWORK_PREFIX}.0.0/16 is in use; remove leftover sandboxes (ip netns list)`);
}
