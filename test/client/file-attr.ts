// The attributes a fake master in client tests answers for its one regular file: root's, mode 0644, goal 2.
export function fileAttr(ino: number, size: number) {
  return {
    ino,
    mode: 0o100644,
    nlink: 1,
    uid: 0,
    gid: 0,
    size,
    rdev: 0,
    atimeMs: 0,
    mtimeMs: 0,
    ctimeMs: 0,
    goal: 2,
    hasXattrs: false,
  };
}
