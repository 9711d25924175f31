#!/usr/bin/env python3
# Takes and tests file locks the way programs do (flock(2), fcntl F_SETLK / F_SETLKW / F_GETLK), for the lock tests:
#   lock-helper.py flock-hold PATH                    flock LOCK_EX, print "locked", hold until killed
#   lock-helper.py hold PATH r|w START LEN             F_SETLK, print "locked" and hold, or print "busy" and exit 1
#   lock-helper.py try PATH r|w START LEN              F_SETLK then exit: "ok" (exit 0) or "busy" (exit 1)
#   lock-helper.py test PATH r|w START LEN             F_GETLK: "unlocked", or "r|w START LEN PID" of the lock in the way
#   lock-helper.py wait PATH r|w START LEN SECONDS     F_SETLKW, interrupted by SIGALRM after SECONDS:
#                                                      "locked" (exit 0) or "interrupted" (exit 3)
#   lock-helper.py steps PATH posix|ofd                F_SETLK or F_OFD_SETLK of bytes 0..99 ("locked"), then per line
#                                                      of stdin: "close-other" opens and closes another descriptor of
#                                                      the file, "close-own" closes the locking one ("done" after each)
#   lock-helper.py upgrade PATH                        flock LOCK_SH ("shared"), then on a line of stdin LOCK_EX
#                                                      ("exclusive") and exit
# LEN 0 means to the end of the file, as in fcntl(2).
import errno
import fcntl
import os
import signal
import struct
import sys
import time

FLOCK_LAYOUT = 'hhqqi4x'  # struct flock on 64-bit Linux: l_type, l_whence, l_start, l_len, l_pid


def lock_struct(kind, start, length):
    return struct.pack(FLOCK_LAYOUT, fcntl.F_RDLCK if kind == 'r' else fcntl.F_WRLCK, os.SEEK_SET, start, length, 0)


def hold_forever():
    print('locked', flush=True)
    while True:
        time.sleep(3600)


class Interrupted(Exception):
    pass


def on_alarm(_signum, _frame):
    raise Interrupted()


def main(argv):
    command, path = argv[1], argv[2]
    fd = os.open(path, os.O_RDWR)
    if command == 'flock-hold':
        fcntl.flock(fd, fcntl.LOCK_EX)
        hold_forever()
    if command == 'upgrade':
        fcntl.flock(fd, fcntl.LOCK_SH)
        print('shared', flush=True)
        sys.stdin.readline()
        fcntl.flock(fd, fcntl.LOCK_EX)
        print('exclusive', flush=True)
        return 0
    if command == 'steps':
        # Kept open throughout: the mount's session holds the file open, so only the lock's own release frees it.
        keeper = os.open(path, os.O_RDONLY)
        fcntl.fcntl(fd, fcntl.F_SETLK if argv[3] == 'posix' else fcntl.F_OFD_SETLK, lock_struct('w', 0, 100))
        print('locked', flush=True)
        for line in sys.stdin:
            if line.strip() == 'close-other':
                os.close(os.open(path, os.O_RDONLY))
            elif line.strip() == 'close-own':
                os.close(fd)
            print('done', flush=True)
        hold_forever()
        os.close(keeper)
    kind, start, length = argv[3], int(argv[4]), int(argv[5])
    if command == 'test':
        answer = fcntl.fcntl(fd, fcntl.F_GETLK, lock_struct(kind, start, length))
        l_type, _whence, l_start, l_len, l_pid = struct.unpack(FLOCK_LAYOUT, answer)
        if l_type == fcntl.F_UNLCK:
            print('unlocked')
        else:
            print('%s %d %d %d' % ('r' if l_type == fcntl.F_RDLCK else 'w', l_start, l_len, l_pid))
        return 0
    if command == 'wait':
        signal.signal(signal.SIGALRM, on_alarm)
        signal.alarm(int(argv[6]))
        try:
            fcntl.fcntl(fd, fcntl.F_SETLKW, lock_struct(kind, start, length))
        except Interrupted:
            print('interrupted', flush=True)
            return 3
        signal.alarm(0)
        print('locked', flush=True)
        return 0
    try:
        fcntl.fcntl(fd, fcntl.F_SETLK, lock_struct(kind, start, length))
    except OSError as e:
        if e.errno in (errno.EAGAIN, errno.EACCES):
            print('busy', flush=True)
            return 1
        raise
    if command == 'hold':
        hold_forever()
    print('ok', flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
