#!/usr/bin/env python3
"""Reads directories of an ipcfs mount a few entries per getdents64 (each
call one FUSE request, so at ttl=0 one rebuild) while processes come and
go, and reports what a listing must not do: repeat a name, or miss one
that existed before the listing began and throughout it.

usage: listing_churn.py MNT N ROUNDS
Each round: N processes holding a pipe each; the listing of MNT/ begins;
after its first call the lower-numbered half is killed and N/4 new ones
start; the listing ends.  Then the same for MNT/<pid>/pipes/ of a process
whose fds come and go.  Prints one line per check: "repeats N", "missed N"
(summed over rounds), "dot-first yes|no".  Its processes die with it
(PR_SET_PDEATHSIG) and are killed and reaped before it exits."""
import ctypes
import os
import signal
import struct
import sys
import time

libc = ctypes.CDLL(None, use_errno=True)
SYS_getdents64 = 217 if os.uname().machine == "x86_64" else 61
PR_SET_PDEATHSIG = 1
BUF = 2048  # a few dozen entries per call


def getdents_pages(path, between):
    """The names of path, read BUF bytes per getdents64; between(i) runs
    after call i."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    buf = ctypes.create_string_buffer(BUF)
    names, call = [], 0
    try:
        while True:
            n = libc.syscall(SYS_getdents64, fd, buf, BUF)
            if n < 0:
                raise OSError(ctypes.get_errno(), "getdents64")
            if n == 0:
                return names
            off = 0
            while off < n:
                reclen = struct.unpack_from("H", buf.raw, off + 16)[0]
                name = buf.raw[off + 19:off + reclen].split(b"\0", 1)[0]
                names.append(name.decode())
                off += reclen
            between(call)
            call += 1
    finally:
        os.close(fd)


def holder():
    """A child holding a pipe, alive until killed."""
    pid = os.fork()
    if pid == 0:
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        os.pipe()
        signal.pause()
        os._exit(0)
    return pid


def stop(pids):
    for p in pids:
        os.kill(p, signal.SIGKILL)
    for p in pids:
        os.waitpid(p, 0)


def check(names, before, stayed, totals):
    seen = set()
    for n in names:
        if n in seen:
            totals["repeats"] += 1
        seen.add(n)
    totals["missed"] += len((before & stayed) - seen)
    if names[:2] != [".", ".."]:
        totals["dot-first"] = "no"


def main():
    mnt, n, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    totals = {"repeats": 0, "missed": 0, "dot-first": "yes"}
    alive = []
    try:
        for _ in range(rounds):
            alive = sorted(holder() for _ in range(n))
            time.sleep(0.2)
            before = {str(p) for p in alive}
            low, high = alive[:n // 2], alive[n // 2:]

            def churn(call):
                if call == 0:
                    stop(low)
                    alive[:] = high + [holder() for _ in range(n // 4)]
            names = getdents_pages(mnt, churn)
            check(names, before, {str(p) for p in high}, totals)
            stop(alive)
            alive = []

            # One process's fds come and go while its pipes/ is read: fds
            # 3.. hold pipes; the lower half closed, new ones opened.
            r, w = os.pipe()
            pid = os.fork()
            if pid == 0:
                libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
                os.close(w)
                fds = [os.dup(r) for _ in range(120)]
                os.read(r, 1)
                for fd in fds[:60]:
                    os.close(fd)
                fds += [os.dup(r) for _ in range(30)]
                os.read(r, 1)
                os._exit(0)
            alive = [pid]
            time.sleep(0.2)
            path = f"{mnt}/{pid}/pipes"
            before = set(os.listdir(path))
            def close_some(call):
                if call == 0:
                    os.write(w, b"x")
                    time.sleep(0.1)
            names = getdents_pages(path, close_some)
            # The fds closed are the first 60 dup'ed; which numbers those
            # are is read from the listing before: the lowest 60 above r.
            dup_fds = sorted((int(x) for x in before if int(x) > r), key=int)
            gone = {str(fd) for fd in dup_fds[:60]}
            check(names, before, before - gone, totals)
            os.write(w, b"x")
            os.close(r)
            os.close(w)
            os.waitpid(pid, 0)
            alive = []
    finally:
        stop(alive)
    for k in ("repeats", "missed", "dot-first"):
        print(k, totals[k])


main()
