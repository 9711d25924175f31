// Finds MooseNG mounts in /proc/mounts, so admin commands can take a path on a mount and reach its masters.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export interface MoosengMount {
  mountPoint: string;
  /** Master control addresses the mount was made with (its fsname is "mooseng:host:port[+host:port...][:/subdir]"). */
  masters: string[];
  /** The directory of the file system the mount shows at its mount point (client.subdir), "" for the root. */
  subdir: string;
}

/** /proc/mounts writes space, tab, newline and backslash as octal escapes. */
function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** "mooseng:a:1+b:2:/projects/x" → masters a:1, b:2 and subdir /projects/x (addresses hold no "/"). */
function parseFsname(fsname: string): { masters: string[]; subdir: string } {
  const rest = unescapeMountField(fsname.slice('mooseng:'.length));
  const at = rest.indexOf(':/');
  return { masters: (at < 0 ? rest : rest.slice(0, at)).split('+'), subdir: at < 0 ? '' : rest.slice(at + 1) };
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
    .map((f) => ({ mountPoint: unescapeMountField(f[1]!), ...parseFsname(f[0]!) }));
}

/** The mount holding `path` and the path inside the file system, or null when `path` is on no MooseNG mount. */
export function locateOnMount(path: string): { mount: MoosengMount; fsPath: string } | null {
  const abs = resolve(path);
  const mount = moosengMounts()
    .filter((m) => abs === m.mountPoint || abs.startsWith(m.mountPoint.endsWith('/') ? m.mountPoint : `${m.mountPoint}/`))
    .sort((a, b) => b.mountPoint.length - a.mountPoint.length)[0];
  if (!mount) return null;
  const inside = abs === mount.mountPoint ? '' : abs.slice(mount.mountPoint.length);
  return { mount, fsPath: `${mount.subdir}${inside}` || '/' };
}
