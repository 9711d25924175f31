// FuseNativeMount: the fallback IMount, on fuse-native (libfuse 2's high-level, path-based API), with the options
// libfuse 2 allows but fuse-native's option object does not pass (big_writes, max_write).
import type { FuseOps } from 'fuse-native';
import {
  checkMountPoint,
  ErrorCodes,
  type FsCaller,
  type IFileSystemOperations,
  type ILogger,
  type IMount,
  MoosengError,
  type MountOptions,
} from '@mooseng/core';
import { pathOperations } from './path-operations';

/** libfuse 2 caps a request at 128 KiB; asking for it is what makes 128 KiB writes reach us in one call. */
export const FUSE_MAX_REQUEST_BYTES = 128 * 1024;
/** A request that outlives this is answered ETIMEDOUT by fuse-native instead of hanging the caller forever. */
export const FUSE_NATIVE_REQUEST_TIMEOUT_MS = 120_000;

type FuseInstance = { mount(cb: (e: Error | null) => void): void; unmount(cb: (e: Error | null) => void): void };

/** The IMount of the mount-fuse-native plugin. */
export class FuseNativeMount implements IMount {
  readonly binding = 'fuse-native';
  private fuse: FuseInstance | null = null;

  constructor(private readonly logger: ILogger) {}

  async mount(mountPoint: string, ops: IFileSystemOperations, options: MountOptions): Promise<void> {
    const target = checkMountPoint(mountPoint, (t) =>
      this.logger.warn('detaching a dead FUSE mount left by a killed client', { mountPoint: t }),
    );
    // Loaded here so that nothing loads the FUSE native module unless this binding mounts.
    // eslint-disable-next-line @typescript-eslint/no-require-imports, @typescript-eslint/consistent-type-imports -- loaded lazily, typed as the module
    const Fuse = require('fuse-native') as typeof import('fuse-native') & { getCaller?: () => FsCaller };
    if (typeof Fuse.getCaller !== 'function') {
      throw new MoosengError(
        ErrorCodes.INTERNAL,
        'fuse-native lacks getCaller(): its patch was not applied; run `npm install` (postinstall applies plugins/mount-fuse-native/patches/)',
      );
    }
    const getCaller = Fuse.getCaller;
    const extra = [
      // st_ino as the master numbers inodes (libfuse's high-level API invents its own otherwise, and hard links
      // would show different inode numbers).
      'use_ino',
      'readdir_ino',
      'big_writes',
      `max_write=${FUSE_MAX_REQUEST_BYTES}`,
      `max_readahead=${FUSE_MAX_REQUEST_BYTES}`,
      ...(options.readOnly ? ['ro'] : []),
    ];
    class TunedFuse extends Fuse {
      protected override _fuseOptions(): string {
        const base = super._fuseOptions();
        return base ? `${base},${extra.join(',')}` : `-o${extra.join(',')}`;
      }
    }
    const table: FuseOps = pathOperations(ops, () => getCaller());
    const fuse = new TunedFuse(target, table, {
      fsname: options.fsname,
      subtype: 'mooseng',
      maxRead: FUSE_MAX_REQUEST_BYTES,
      attrTimeout: ops.timeouts.attrTimeoutMs / 1000,
      entryTimeout: ops.timeouts.entryTimeoutMs / 1000,
      defaultPermissions: options.defaultPermissions,
      allowOther: options.allowOther,
      debug: options.debug,
      timeout: FUSE_NATIVE_REQUEST_TIMEOUT_MS,
    });
    await new Promise<void>((res, rej) =>
      fuse.mount((err) =>
        err
          ? rej(
              new MoosengError(
                ErrorCodes.UNAVAILABLE,
                `cannot mount ${target}: ${err.message}; is /dev/fuse there and libfuse2 installed?`,
                { cause: err },
              ),
            )
          : res(),
      ),
    );
    this.fuse = fuse;
    // fuse-native binds none of libfuse 2's lock operations (lock, flock), so libfuse does not ask the kernel to
    // send them: the kernel keeps flock and fcntl locks itself, and they hold among this mount's processes only.
    if (ops.setlk !== undefined || ops.flock !== undefined)
      this.logger.warn(
        'file locks on this mount hold on this mount only (fuse-native cannot pass them on); use mount-fuse3 for cluster-wide locks',
        {
          mountPoint: target,
        },
      );
    // libfuse 2 through fuse-native asks for no writeback cache, and gives no keep_cache choice per open.
    if (options.kernelWritebackCache)
      this.logger.warn('the kernel writeback cache is not available with fuse-native (client.kernelWritebackCache ignored)', {
        mountPoint: target,
      });
  }

  /** Unmounts (lazily, so a busy mount point does not keep the process alive). Idempotent. */
  async unmount(): Promise<void> {
    const fuse = this.fuse;
    this.fuse = null;
    if (!fuse) return;
    await new Promise<void>((res) => fuse.unmount(() => res()));
  }
}
