// Type declarations for fuse-native 2.2.6 (it ships none): the parts MooseNG uses.
declare module 'fuse-native' {
  type Cb = (err: number | null, ...rest: unknown[]) => void;
  export interface FuseStat {
    mode: number;
    uid: number;
    gid: number;
    size: number;
    dev?: number;
    nlink: number;
    ino: number;
    rdev?: number;
    blksize?: number;
    blocks?: number;
    atime: Date;
    mtime: Date;
    ctime: Date;
  }
  export interface FuseOptions {
    force?: boolean;
    mkdir?: boolean;
    debug?: boolean;
    allowOther?: boolean;
    defaultPermissions?: boolean;
    autoUnmount?: boolean;
    maxRead?: number;
    fsname?: string;
    subtype?: string;
    entryTimeout?: number;
    attrTimeout?: number;
    timeout?: number | false | Record<string, number | false>;
    [option: string]: unknown;
  }
  export type FuseOps = Record<string, (...args: any[]) => void>;
  class Fuse {
    constructor(mnt: string, ops: FuseOps, opts?: FuseOptions);
    readonly mnt: string;
    readonly opts: FuseOptions;
    mount(cb: (err: Error | null) => void): void;
    unmount(cb: (err: Error | null) => void): void;
    protected _fuseOptions(): string;
    static unmount(mnt: string, cb: (err: Error | null) => void): void;
    /** Added by patches/fuse-native+2.2.6.patch: the caller of the request being handled (read it on entry). */
    static getCaller(): { uid: number; gid: number; pid: number };
    static readonly EPERM: number;
    static readonly ENOENT: number;
    static readonly EIO: number;
  }
  export default Fuse;
  export = Fuse;
}
