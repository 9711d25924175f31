// Exports, as MooseFS users know them from mfsexports.cfg: which client networks may use the file system, read-write
// or read-only, with root (or everyone) mapped to another uid:gid, and within which goals. The first rule whose
// networks hold the caller's address applies, to every call it makes (so a follower that becomes leader applies the
// same rules without any session state). Networks are matched with node:net's BlockList.
import { BlockList, isIP } from 'node:net';
import { createHash } from 'node:crypto';
import { ErrorCodes, ExportPasswordKey, MoosengError } from '@mooseng/core';
import type { Credentials } from './namespace/commands';

/** One rule of master.exports, as configured. */
export interface ExportRuleConfig {
  /** Addresses and CIDR networks ("10.0.0.0/8", "192.168.1.7", "::1"), or "*" for any. */
  networks: string[];
  access: 'rw' | 'ro';
  /** "uid:gid" that root (uid 0) acts as; '' keeps root. */
  maproot: string;
  /** "uid:gid" that every caller acts as; '' keeps each caller's own. Wins over maproot. */
  mapall: string;
  minGoal: number;
  maxGoal: number;
  /** A password the client must prove it knows when it opens a session ('' none), as mfsexports.cfg's password=. */
  password: string;
}

/** The rule every master has unless configured: everyone, read-write, root kept (MooseFS's "* / rw,maproot=0:0"). */
export const DEFAULT_EXPORTS: readonly ExportRuleConfig[] = [
  { networks: ['*'], access: 'rw', maproot: '', mapall: '', minGoal: 1, maxGoal: 9, password: '' },
];

/** A rule ready to match and apply. */
export class ExportRule {
  readonly readOnly: boolean;
  private readonly any: boolean;
  private readonly list = new BlockList();
  private readonly root: Credentials | null;
  private readonly all: Credentials | null;
  /** Checks the proof of the rule's password (null: the rule has none). */
  readonly password: ExportPasswordKey | null;
  /**
   * What a session opened under this rule is bound to (session-keys.ts): with a password, the rule and the
   * password, so a session opened under another rule, or before the password changed, is not good here.
   */
  readonly sessionBinding: string;

  constructor(
    readonly config: ExportRuleConfig,
    /** For errors: "master.exports.2". */
    readonly name: string,
  ) {
    this.readOnly = config.access === 'ro';
    this.any = config.networks.includes('*');
    for (const net of config.networks) if (net !== '*') addNetwork(this.list, net, `${name}.networks`);
    this.root = parseIdentity(config.maproot, `${name}.maproot`);
    this.all = parseIdentity(config.mapall, `${name}.mapall`);
    const password = config.password ?? '';
    this.password = password === '' ? null : new ExportPasswordKey(password);
    this.sessionBinding =
      password === '' ? '' : `export ${name} ${createHash('sha256').update(password, 'utf8').digest('hex').slice(0, 16)}`;
    if (config.minGoal > config.maxGoal)
      throw new MoosengError(ErrorCodes.CONFIG_INVALID, `${name}: minGoal ${config.minGoal} is above maxGoal ${config.maxGoal}`);
  }

  matches(address: string): boolean {
    if (this.any) return true;
    const family = isIP(address);
    return family !== 0 && this.list.check(address, family === 6 ? 'ipv6' : 'ipv4');
  }

  /** Who the caller acts as under this rule. */
  map(cred: Credentials): Credentials {
    if (this.all) return this.all;
    if (this.root && cred.uid === 0) return this.root;
    return cred;
  }

  /** Refuses (EPERM) a goal outside the rule's bounds. */
  checkGoal(goal: number): void {
    const { minGoal, maxGoal } = this.config;
    if (goal < minGoal || goal > maxGoal)
      throw new MoosengError(
        ErrorCodes.EPERM,
        `goal ${goal} is outside ${minGoal}..${maxGoal}, what this client's export (${this.name}) allows`,
      );
  }
}

/** The configured rules, first match wins. */
export class Exports {
  private readonly rules: ExportRule[];

  constructor(configs: readonly ExportRuleConfig[], setting = 'master.exports') {
    this.rules = configs.map((c, i) => new ExportRule(c, `${setting}.${i}`));
  }

  /** The rule for a caller at `address` (an IP, IPv4-mapped IPv6 taken as IPv4), or EACCES naming the address. */
  ruleFor(address: string): ExportRule {
    const ip = normalizeAddress(address);
    const rule = this.rules.find((r) => r.matches(ip));
    if (!rule)
      throw new MoosengError(
        ErrorCodes.EACCES,
        `no export allows clients at ${ip || 'an unknown address'}; add its network to master.exports on the masters`,
      );
    return rule;
  }
}

/** "::ffff:10.0.0.1" → "10.0.0.1"; anything else as it is. */
export function normalizeAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1]! : address;
}

function addNetwork(list: BlockList, net: string, setting: string): void {
  const [address, bits, extra] = net.split('/');
  const family = isIP(address ?? '');
  const prefix = bits === undefined ? (family === 6 ? 128 : 32) : Number(bits);
  if (family === 0 || extra !== undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 6 ? 128 : 32))
    throw new MoosengError(ErrorCodes.CONFIG_INVALID, `${setting}: "${net}" is not an address or a network (10.0.0.0/8, ::1, or *)`);
  list.addSubnet(address!, prefix, family === 6 ? 'ipv6' : 'ipv4');
}

function parseIdentity(text: string, setting: string): Credentials | null {
  if (text === '') return null;
  const m = /^(\d+):(\d+)$/.exec(text);
  if (!m) throw new MoosengError(ErrorCodes.CONFIG_INVALID, `${setting}: "${text}" is not uid:gid (numbers, e.g. 65534:65534)`);
  return { uid: Number(m[1]), gids: [Number(m[2])] };
}
