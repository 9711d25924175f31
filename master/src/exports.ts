// Exports, as MooseFS users know them from mfsexports.cfg: which client networks (and, over TLS, which client
// certificates) may use the file system, which directory they see as its root, read-write or read-only, with root
// (or everyone) mapped to another uid:gid, and within which goals. The first rule that matches the caller applies,
// to every call it makes (so a follower that becomes leader applies the same rules without any session state); the
// directory is fixed when the session opens (session-roots.ts). Networks are matched with node:net's BlockList.
import { BlockList, isIP } from 'node:net';
import { createHash } from 'node:crypto';
import { ErrorCodes, ExportPasswordKey, MoosengError, type PeerIdentity } from '@mooseng/core';
import type { Credentials } from './namespace/commands';

/** One rule of master.exports, as configured. */
export interface ExportRuleConfig {
  /** Addresses and CIDR networks ("10.0.0.0/8", "192.168.1.7", "::1"), or "*" for any. */
  networks: string[];
  /**
   * Client certificates the rule is for, as "ROLE/NAME" of the certificate's OU and CN ("client/alice"), "ROLE/*"
   * for any of a role; empty (the default): any caller, with a certificate or without. Checked with the networks.
   */
  certificates?: string[];
  /** The directory the rule's clients see as the root of the file system ("/" the default: all of it). */
  directory?: string;
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
  { networks: ['*'], certificates: [], directory: '/', access: 'rw', maproot: '', mapall: '', minGoal: 1, maxGoal: 9, password: '' },
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
  /** The directory the rule's sessions see as their root, as an absolute path ("/": the whole file system). */
  readonly directory: string;
  private readonly certificates: ReadonlyArray<{ role: string; name: string | null }>;
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
    this.directory = parseDirectory(config.directory ?? '/', `${name}.directory`);
    this.certificates = (config.certificates ?? []).map((c, i) => parseCertificatePattern(c, `${name}.certificates.${i}`));
    const password = config.password ?? '';
    this.password = password === '' ? null : new ExportPasswordKey(password);
    // A session's key is good only under a rule with the same password and directory: one opened under another
    // rule (another address, or before the configuration changed) cannot reach this rule's subtree, or escape it.
    const binding: string[] = [];
    if (password !== '') binding.push(`export ${name} ${createHash('sha256').update(password, 'utf8').digest('hex').slice(0, 16)}`);
    if (this.directory !== '/') binding.push(`directory ${this.directory}`);
    this.sessionBinding = binding.join(' ');
    if (config.minGoal > config.maxGoal)
      throw new MoosengError(ErrorCodes.CONFIG_INVALID, `${name}: minGoal ${config.minGoal} is above maxGoal ${config.maxGoal}`);
  }

  /** True when the rule is for a caller at `address` showing `identity` (null: no client certificate). */
  matches(address: string, identity: PeerIdentity | null = null): boolean {
    if (this.certificates.length > 0) {
      if (identity === null) return false;
      if (!this.certificates.some((c) => c.role === identity.role && (c.name === null || c.name === identity.name))) return false;
    }
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

  /**
   * The rule for a caller at `address` (an IP, IPv4-mapped IPv6 taken as IPv4) showing `identity`, or EACCES
   * naming both.
   */
  ruleFor(address: string, identity: PeerIdentity | null = null): ExportRule {
    const ip = normalizeAddress(address);
    const rule = this.rules.find((r) => r.matches(ip, identity));
    if (!rule)
      throw new MoosengError(
        ErrorCodes.EACCES,
        `no export allows clients at ${ip || 'an unknown address'} with ${identity ? `certificate ${identity.role}/${identity.name}` : 'no client certificate'}; add a rule for them to master.exports on the masters`,
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

/** "/a/b/" → "/a/b"; refuses a relative path, "." or ".." components and empty ones in the middle. */
function parseDirectory(text: string, setting: string): string {
  const parts = text.split('/').filter((p) => p !== '');
  if (!text.startsWith('/') || parts.some((p) => p === '.' || p === '..') || text.includes('\0'))
    throw new MoosengError(
      ErrorCodes.CONFIG_INVALID,
      `${setting}: "${text}" is not an absolute directory path without "." or ".." (e.g. /projects/a)`,
    );
  return '/' + parts.join('/');
}

/** "client/alice" → role client, name alice; "client/*" → any name. */
function parseCertificatePattern(text: string, setting: string): { role: string; name: string | null } {
  const m = /^([^/*]+)\/([^/]+)$/.exec(text);
  if (!m || (m[2]!.includes('*') && m[2] !== '*'))
    throw new MoosengError(
      ErrorCodes.CONFIG_INVALID,
      `${setting}: "${text}" is not ROLE/NAME or ROLE/* (the OU and CN of a client certificate, e.g. client/alice)`,
    );
  return { role: m[1]!, name: m[2] === '*' ? null : m[2]! };
}

function parseIdentity(text: string, setting: string): Credentials | null {
  if (text === '') return null;
  const m = /^(\d+):(\d+)$/.exec(text);
  if (!m) throw new MoosengError(ErrorCodes.CONFIG_INVALID, `${setting}: "${text}" is not uid:gid (numbers, e.g. 65534:65534)`);
  return { uid: Number(m[1]), gids: [Number(m[2])] };
}
