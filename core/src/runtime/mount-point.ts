// Mount-point checks every FUSE binding makes before handing a path to libfuse, whose own errors are terse.
import { execFileSync } from 'node:child_process';
import { opendirSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ErrorCodes, MoosengError } from '../errors';

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

/**
 * Checks the mount point and returns its absolute path. A dead FUSE mount (its process killed: stat fails with
 * ENOTCONN) is detached first (`fusermount3 -uz`), since nothing can use it any more and a restarted client should
 * simply mount again; `onStale` is told when that happens.
 */
export function checkMountPoint(mountPoint: string, onStale: (target: string) => void = () => undefined): string {
  const target = resolve(mountPoint);
  let st;
  try {
    st = statSync(target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOTCONN')
      throw new MoosengError(ErrorCodes.INVALID_ARGUMENT, `mount point ${target} does not exist; create it with: mkdir -p ${target}`);
    onStale(target);
    detachDeadMount(target);
    return checkMountPoint(target);
  }
  if (!st.isDirectory()) throw new MoosengError(ErrorCodes.INVALID_ARGUMENT, `mount point ${target} is not a directory`);
  if (isMounted(target) && isDeadFuseMount(target)) {
    onStale(target);
    detachDeadMount(target);
    return checkMountPoint(target);
  }
  if (isMounted(target))
    throw new MoosengError(ErrorCodes.INVALID_ARGUMENT, `${target} is already a mount point; unmount it first (mooseng umount ${target})`);
  return target;
}

/**
 * True when the mount at `target` has lost its process. stat(2) alone may still answer from attributes the kernel
 * cached; opening the directory always asks the file system, and a dead one fails with ENOTCONN.
 */
function isDeadFuseMount(target: string): boolean {
  try {
    opendirSync(target).closeSync();
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOTCONN';
  }
}

function detachDeadMount(target: string): void {
  for (const tool of ['fusermount3', 'fusermount']) {
    try {
      execFileSync(tool, ['-uz', target], { stdio: 'ignore' });
      return;
    } catch {
      // try the next tool
    }
  }
  throw new MoosengError(
    ErrorCodes.INVALID_ARGUMENT,
    `${target} is a dead FUSE mount (its process is gone) and could not be detached; run: fusermount3 -uz ${target}`,
  );
}
