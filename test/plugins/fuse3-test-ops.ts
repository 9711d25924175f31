// The file system the mount-fuse3 tests put behind a mount: every operation a test does not give answers
// EOPNOTSUPP, except those a mount needs to work at all (forget, release, flush, the root's directory calls, access,
// statfs), which succeed doing nothing. A test spreads it and gives what it looks at: `{ ...testOps(), lookup, ... }`.
import { ErrorCodes, type IFileSystemOperations, MoosengError } from '@mooseng/core';

const enosys = (): Promise<never> => Promise.reject(new MoosengError(ErrorCodes.EOPNOTSUPP, 'not in this test'));

export function testOps(): IFileSystemOperations {
  return {
    timeouts: { entryTimeoutMs: 1000, attrTimeoutMs: 1000 },
    forget: () => undefined,
    release: async () => undefined,
    flush: async () => undefined,
    opendir: async () => ({ fh: 1 }),
    readdir: async () => [],
    releasedir: async () => undefined,
    access: async () => undefined,
    statfs: async () => ({ blockSize: 4096, totalBlocks: 1, freeBlocks: 1, availBlocks: 1, totalFiles: 1, freeFiles: 1, nameMax: 255 }),
    lookup: enosys,
    getattr: enosys,
    open: enosys,
    read: enosys,
    setattr: enosys,
    readlink: enosys,
    mknod: enosys,
    mkdir: enosys,
    unlink: enosys,
    rmdir: enosys,
    symlink: enosys,
    rename: enosys,
    link: enosys,
    create: enosys,
    write: enosys,
    fsync: enosys,
    setxattr: enosys,
    getxattr: enosys,
    listxattr: enosys,
    removexattr: enosys,
    fallocate: enosys,
    lseek: enosys,
  };
}
