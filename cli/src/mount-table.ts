// Finds MooseNG mounts in /proc/mounts, so admin commands can take a path on a mount and reach its masters.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export interface MoosengMount {
  mountPoint: string;
  /** Master control addresses the mount was made with (its fsname is "mooseng:host:port[+host:port...]"). */
  masters: string[];
}

/** Every MooseNG FUSE mount on this host. */
export function moosengMounts(): MoosengMount[] {
  let text: string;
  try {
    text = readFileSync('/proc/mounts', 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .map((line) => line.split(' '))
    .filter((f) => f.length > 2 && f[0]!.startsWith('mooseng:') && f[2]!.startsWith('fuse'))
    .map((f) => ({ mountPoint: f[1]!.replace(/\\040/g, ' '), masters: f[0]!.slice('mooseng:'.length).split('+') }));
}

/** The mount holding `path` and the path inside the file system, or null when `path` is on no MooseNG mount. */
export function locateOnMount(path: string): { mount: MoosengMount; fsPath: string } | null {
  const abs = resolve(path);
  const mount = moosengMounts()
    .filter((m) => abs === m.mountPoint || abs.startsWith(m.mountPoint.endsWith('/') ? m.mountPoint : `${m.mountPoint}/`))
    .sort((a, b) => b.mountPoint.length - a.mountPoint.length)[0];
  if (!mount) return null;
  return { mount, fsPath: abs === mount.mountPoint ? '/' : abs.slice(mount.mountPoint.length) };
}
