// FuseMount: mounts a set of FUSE operations with fuse-native, with the options libfuse 2 allows but fuse-native's
// option object does not pass (big_writes, max_write), and clear errors for a missing or busy mount point.
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FuseOps } from 'fuse-native';
import { ErrorCodes, MoosengError } from '@mooseng/core';

/** libfuse 2 caps a request at 128 KiB; asking for it is what makes 128 KiB writes reach us in one call. */
export const FUSE_MAX_REQUEST_BYTES = 128 * 1024;

export interface FuseMountOptions {
  fsname: string;
  /** Seconds the kernel may cache attributes and name lookups. */
  attrTimeoutSec: number;
  entryTimeoutSec: number;
  readOnly: boolean;
  /** Let the kernel check permissions from the attributes (mode, uid, gid) we return. */
  defaultPermissions: boolean;
  allowOther: boolean;
  debug?: boolean;
}

/** True when `mountPoint` is a mount point in /proc/mounts (so a second mount there would shadow it). */
export function isMounted(mountPoint: string): boolean {
  const target = resolve(mountPoint);
  try {
    return readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .some((line) => line.split(' ')[1]?.replace(/\\040/g, ' ') === target);
  } catch {
    return false;
  }
}

/** Checks the mount point before handing it to libfuse, whose own errors are terse. */
export function checkMountPoint(mountPoint: string): string {
  const target = resolve(mountPoint);
  let st;
  try {
    st = statSync(target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTCONN') {
      throw new MoosengError(ErrorCodes.INVALID_ARGUMENT, `${target} is a dead FUSE mount (its process is gone); run: fusermount -uz ${target}`);
    }
    throw new MoosengError(ErrorCodes.INVALID_ARGUMENT, `mount point ${target} does not exist; create it with: mkdir -p ${target}`);
  }
  if (!st.isDirectory()) throw new MoosengError(ErrorCodes.INVALID_ARGUMENT, `mount point ${target} is not a directory`);
  if (isMounted(target)) throw new MoosengError(ErrorCodes.INVALID_ARGUMENT, `${target} is already a mount point; unmount it first (mooseng umount ${target})`);
  return target;
}

/** A live mount. */
export class FuseMount {
  private fuse: { mount(cb: (e: Error | null) => void): void; unmount(cb: (e: Error | null) => void): void } | null = null;

  constructor(
    readonly mountPoint: string,
    private readonly ops: FuseOps,
    private readonly options: FuseMountOptions,
  ) {}

  async mount(): Promise<void> {
    const target = checkMountPoint(this.mountPoint);
    // Loaded here so that masters and chunkservers never load the FUSE native module.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Fuse = require('fuse-native') as typeof import('fuse-native');
    const extra = [
      // st_ino as the master numbers inodes (libfuse's high-level API invents its own otherwise, and hard links
      // would show different inode numbers).
      'use_ino',
      'readdir_ino',
      'big_writes',
      `max_write=${FUSE_MAX_REQUEST_BYTES}`,
      `max_readahead=${FUSE_MAX_REQUEST_BYTES}`,
      ...(this.options.readOnly ? ['ro'] : []),
    ];
    class TunedFuse extends Fuse {
      protected override _fuseOptions(): string {
        const base = super._fuseOptions();
        return base ? `${base},${extra.join(',')}` : `-o${extra.join(',')}`;
      }
    }
    const fuse = new TunedFuse(target, this.ops, {
      fsname: this.options.fsname,
      subtype: 'mooseng',
      maxRead: FUSE_MAX_REQUEST_BYTES,
      attrTimeout: this.options.attrTimeoutSec,
      entryTimeout: this.options.entryTimeoutSec,
      defaultPermissions: this.options.defaultPermissions,
      allowOther: this.options.allowOther,
      debug: this.options.debug,
      // A request that outlives this is answered ETIMEDOUT instead of hanging the caller forever.
      timeout: 120_000,
    });
    await new Promise<void>((res, rej) =>
      fuse.mount((err) => (err ? rej(new MoosengError(ErrorCodes.UNAVAILABLE, `cannot mount ${target}: ${err.message}; is /dev/fuse there and libfuse2 installed?`, { cause: err })) : res())),
    );
    this.fuse = fuse;
  }

  /** Unmounts (lazily, so a busy mount point does not keep the process alive). Idempotent. */
  async unmount(): Promise<void> {
    const fuse = this.fuse;
    this.fuse = null;
    if (!fuse) return;
    await new Promise<void>((res) => fuse.unmount(() => res()));
  }
}
