#!/usr/bin/env python3
# The model checker's mmap(2) arm: a long-running process that keeps its own fd on a mount and reads and writes the
# file through shared mappings (Node has no mmap), speaking one JSON object per line on stdin/stdout.
#
# Requests (each carries "id", echoed in the reply):
#   {"op": "open", "path": P}                         open P O_RDWR (closing any fd held before)
#   {"op": "read", "offset": O, "length": N}          map the pages covering [O, O+N), copy them out, unmap
#   {"op": "write", "offset": O, "data": B64}          map, store the bytes, msync(MS_SYNC) the mapping, unmap
#   {"op": "close"}                                   close the fd (a no-op when none is open)
# Replies: {"id": I, "ok": true, ...} or {"id": I, "ok": false, "errno": "EIO", "message": "..."}.
# A page the kernel cannot fill raises SIGBUS, which kills this process: the caller sees the exit signal.
import base64
import errno
import json
import mmap
import os
import sys

fd = None


def mapped(offset, length, writable):
    # mmap offsets must be page-aligned: map from the page holding `offset`.
    start = offset - offset % mmap.ALLOCATIONGRANULARITY
    prot = mmap.PROT_READ | (mmap.PROT_WRITE if writable else 0)
    return start, mmap.mmap(fd, offset + length - start, flags=mmap.MAP_SHARED, prot=prot, offset=start)


def handle(req):
    global fd
    op = req["op"]
    if op == "open":
        if fd is not None:
            os.close(fd)
            fd = None
        fd = os.open(req["path"], os.O_RDWR)
        return {}
    if op == "close":
        if fd is not None:
            os.close(fd)
            fd = None
        return {}
    if fd is None:
        raise OSError(errno.EBADF, "no file open")
    offset, length = req["offset"], req.get("length", 0)
    if op == "read":
        start, m = mapped(offset, length, False)
        try:
            data = m[offset - start : offset - start + length]
        finally:
            m.close()
        return {"data": base64.b64encode(data).decode("ascii")}
    if op == "write":
        data = base64.b64decode(req["data"])
        start, m = mapped(offset, len(data), True)
        try:
            m[offset - start : offset - start + len(data)] = data
            # MS_SYNC over the whole mapping: the dirty pages go to the file system now, and its error comes back here.
            m.flush()
        finally:
            m.close()
        return {}
    raise OSError(errno.EINVAL, "unknown op " + op)


def main():
    for line in sys.stdin:
        req = json.loads(line)
        try:
            reply = {"id": req["id"], "ok": True, **handle(req)}
        except OSError as e:
            reply = {"id": req["id"], "ok": False, "errno": errno.errorcode.get(e.errno, str(e.errno)), "message": str(e)}
        except (ValueError, KeyError, TypeError) as e:
            # A malformed request is the checker's bug, not the file system's: say so distinctly.
            reply = {"id": req["id"], "ok": False, "errno": "HELPER", "message": repr(e)}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
