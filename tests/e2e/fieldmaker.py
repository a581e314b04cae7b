#!/usr/bin/env python3
"""fieldmaker — real processes for tests/e2e/test_json.sh and
test_tcpinfo.sh.

  fieldmaker.py names DIR [UID]
      Two processes (roles "a", "b") with hostile command names (quote,
      backslash, tab, newline, bytes that are no UTF-8) sharing: a unix
      stream listener in a bound under DIR at a hostile path, its accepted
      connection in a and the client in b; an abstract listener in a whose
      name holds a NUL, a newline and invalid UTF-8; a FIFO under DIR with a
      hostile name, O_RDWR in a and O_RDONLY in b; a memfd with a hostile
      name inherited by both.  With UID: a third process "u" running as
      that uid (comm with a tab and a quote) holding a pipe to itself.
  fieldmaker.py tcp SENT RECEIVED
      A loopback TCP connection between two processes: "client" sends SENT
      bytes and reads RECEIVED, "server" (its accepted end) reads SENT and
      sends RECEIVED; the listener is closed.  Each reads to the last byte
      before reporting.

Report, once everything is in place, one JSON object per line, then
"ready" (and stdout is closed: EOF = ready):
  {"role": R, "pid": P, "comm": HEX, "eps": [{"kind": K, "fd": F,
   "path": HEX, ...}]}
HEX is the raw bytes in hex (comm as the kernel keeps it, 15 bytes at
most; path as the fd link or the socket address reads). tcp adds "local"
and "remote" (a.b.c.d:port). Then every process waits; the parent ends its
children when it gets SIGTERM, and children die with it
(PR_SET_PDEATHSIG)."""
import ctypes
import json
import os
import signal
import socket
import sys

libc = ctypes.CDLL(None, use_errno=True)
PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_NAME = 15

# Hostile names: quote, backslash, tab, newline, DEL, and bytes no UTF-8
# has (a stray continuation, an overlong '/', a surrogate, 0xff).
COMM_A = b'q"b\\s\tx\n\xff\xc0\xaf'
COMM_B = b'\xed\xa0\x80 t\t"\\\x7f'
COMM_U = b'nob\t"dy'
SOCK_NAME = b'so "q\\b\tt\nn\xff\xc0\xaf\x80.s'
ABSTRACT = b'\0ab"s\\\n\0z\xf4\x90\x80\x80'
FIFO_NAME = b'fi\tfo "\\\n\xe2\x82 \xf0\x9f\x98\x80'
MEMFD_NAME = b'm"\\\t\n\xed\xbf\xbf\xff \xc3\xa9'


def set_comm(name):
    if libc.prctl(PR_SET_NAME, ctypes.c_char_p(name), 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NAME)")


def comm_of(pid):
    with open(f"/proc/{pid}/comm", "rb") as f:
        return f.read()[:-1]


def link(fd):
    return os.readlink(f"/proc/self/fd/{fd}".encode())


def die_with_parent():
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def child(role, comm, body, report_w, uid=None):
    """Forks a process that runs body() (which sets up its channels and
    returns its endpoints), reports, then waits.  tcp: the server's
    report says the client's bytes arrived, the client's that the
    server's did: both reports, everything delivered."""
    pid = os.fork()
    if pid:
        return pid
    try:
        die_with_parent()
        if uid is not None:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            # as after an exec: its /proc/<pid>/fd then belongs to uid
            libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)
        set_comm(comm)
        eps = body()
        line = json.dumps({"role": role, "pid": os.getpid(),
                           "comm": comm_of(os.getpid()).hex(), "eps": eps})
        os.write(report_w, (line + "\n").encode())
        os.close(report_w)
        devnull = os.open("/dev/null", os.O_RDWR)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        while True:
            signal.pause()
    except BaseException as e:  # noqa: BLE001 - the child must not return
        os.write(2, f"fieldmaker {role}: {e!r}\n".encode())
        os._exit(1)


def ep(kind, fd, path=None, **extra):
    e = {"kind": kind, "fd": fd}
    if path is not None:
        e["path"] = path.hex()
    e.update(extra)
    return e


def names(directory, uid):
    d = os.fsencode(directory)
    sock_path = d + b"/" + SOCK_NAME
    fifo_path = d + b"/" + FIFO_NAME
    os.mkfifo(fifo_path, 0o600)
    memfd = os.memfd_create(os.fsdecode(MEMFD_NAME), 0)
    os.ftruncate(memfd, 4096)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(sock_path)
    listener.listen(4)
    r, w = os.pipe()
    procs = []

    def a():
        os.close(r)
        conn, _ = listener.accept()
        ab = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        ab.bind(ABSTRACT)
        ab.listen(1)
        fifo = os.open(fifo_path, os.O_RDWR)
        a.keep = (conn, ab, fifo)
        return [ep("unix", listener.fileno(), sock_path),
                ep("unix", conn.fileno(), sock_path),
                ep("unix", ab.fileno(), b"@" + ABSTRACT[1:]),
                ep("fifos", fifo, link(fifo)),
                ep("memfd", memfd, link(memfd))]

    def b():
        os.close(r)
        listener.close()
        cli = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        cli.connect(sock_path)
        fifo = os.open(fifo_path, os.O_RDONLY | os.O_NONBLOCK)
        b.keep = (cli, fifo)
        return [ep("unix", cli.fileno()), ep("fifos", fifo, link(fifo)),
                ep("memfd", memfd, link(memfd))]

    def u():
        os.close(r)
        listener.close()
        os.close(memfd)
        pr, pw = os.pipe()
        u.keep = (pr, pw)
        return [ep("pipes", pr), ep("pipes", pw)]

    procs.append(child("a", COMM_A, a, w))
    procs.append(child("b", COMM_B, b, w))
    if uid is not None:
        procs.append(child("u", COMM_U, u, w, uid=int(uid)))
    listener.close()
    os.close(memfd)
    return r, w, procs


def tcp(sent, received):
    sent, received = int(sent), int(received)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    r, w = os.pipe()

    def read_all(s, n):
        got = 0
        while got < n:
            chunk = s.recv(min(65536, n - got))
            if not chunk:
                raise EOFError(f"peer closed after {got} of {n} bytes")
            got += len(chunk)

    def endpoint(s):
        def addr(a):
            return f"{a[0]}:{a[1]}"
        return ep("tcp4", s.fileno(), local=addr(s.getsockname()),
                  remote=addr(s.getpeername()))

    def server():
        os.close(r)
        conn, _ = listener.accept()
        listener.close()
        read_all(conn, sent)
        conn.sendall(b"s" * received)
        server.keep = conn
        return [endpoint(conn)]

    def client():
        os.close(r)
        listener.close()
        c = socket.create_connection(("127.0.0.1", port))
        c.sendall(b"c" * sent)
        read_all(c, received)
        client.keep = c
        return [endpoint(c)]

    procs = [child("server", b"tcp-server", server, w)]
    procs.append(child("client", b"tcp-client", client, w))
    listener.close()
    return r, w, procs


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "names":
        r, w, procs = names(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
    elif len(sys.argv) == 4 and sys.argv[1] == "tcp":
        r, w, procs = tcp(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
    die_with_parent()
    os.close(w)
    lines = b""
    while True:
        chunk = os.read(r, 65536)
        if not chunk:
            break
        lines += chunk
    os.close(r)
    ready = lines.count(b"\n")
    if ready != len(procs):
        for pid in procs:
            os.kill(pid, signal.SIGKILL)
        sys.exit(f"fieldmaker: {ready} of {len(procs)} processes got ready")
    sys.stdout.buffer.write(lines + b"ready\n")
    sys.stdout.flush()
    os.close(1)
    signal.sigwait({signal.SIGTERM, signal.SIGINT, signal.SIGHUP})
    for pid in procs:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


if __name__ == "__main__":
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT, signal.SIGHUP})
    main()
