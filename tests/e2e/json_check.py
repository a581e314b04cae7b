#!/usr/bin/env python3
"""Checks ipcfs's channels.json against the rest of the mount, for
tests/e2e/test_json.sh and test_tcpinfo.sh.  Each command prints one line
per problem found (nothing: all is well) and exits 0, or exits 1 when it
cannot run at all.

  json_check.py doc FILE
      FILE is valid UTF-8 and valid JSON, an array laid out as ipcfs(8)
      says: a "[" line, one object per line, each but the last ending in
      ",", a "]" line; every string's backslashes start \\ooo escapes.
  json_check.py same CHANNELS FILE
      The channels table CHANNELS and the document FILE hold the same
      endpoints (kind, pid, name) with the same comm, access, id and
      peers; names compared as raw bytes after undoing each one's escapes.
  json_check.py info MNT FILE PID...
      For every object of those pids, MNT/<pid>/<kind>/<name>/info has the
      same keys in the same order, with the same values: numbers as
      decimal, null as "-", true/false as yes/no, peers as "<pid>:<name>"
      (and each peer's kind is that of the endpoint it names).
  json_check.py maker REPORT FILE
      Each process of a fieldmaker report has, in FILE, its comm and every
      endpoint it reported (kind, fd) with the path it reported (raw bytes;
      no "path" reported: null), and local/remote when reported."""
import json
import re
import sys

OCTAL = re.compile(rb"\\([0-3][0-7][0-7])")


def unescape(text):
    """Raw bytes of a value written with \\ooo escapes (str or bytes)."""
    if isinstance(text, str):
        text = text.encode("utf-8")
    return OCTAL.sub(lambda m: bytes([int(m.group(1), 8)]), text)


def load(path):
    with open(path, "rb") as f:
        return json.loads(f.read().decode("utf-8"))


def doc(path):
    with open(path, "rb") as f:
        raw = f.read()
    try:
        text = raw.decode("utf-8")  # strict: no surrogates, no overlongs
    except UnicodeDecodeError as e:
        return [f"not UTF-8: {e}"]
    try:
        data = json.loads(text)
    except ValueError as e:
        return [f"not JSON: {e}"]
    problems = []
    if not isinstance(data, list):
        problems.append("not an array")
    lines = text.split("\n")
    if lines[-1] != "" or lines[0] != "[" or lines[-2] != "]":
        problems.append("not a '[' line ... a ']' line, ending in a newline")
    body = lines[1:-2]
    if len(body) != len(data):
        problems.append(f"{len(body)} object lines for {len(data)} objects")
    for i, line in enumerate(body):
        last = i == len(body) - 1
        if line.endswith(",") == last:
            problems.append(f"line {i + 2}: a ',' where it should not be, or none")
        try:
            obj = json.loads(line[:-1] if line.endswith(",") else line)
        except ValueError as e:
            problems.append(f"line {i + 2} is not one object: {e}")
            continue
        if i < len(data) and obj != data[i]:
            problems.append(f"line {i + 2} differs from the array's element")
        for key, value in obj.items():
            strings = [value] if isinstance(value, str) else []
            if key == "peers":
                strings = [p["name"] for p in value] + [p["kind"] for p in value]
            for s in strings:
                if re.search(r"\\(?![0-3][0-7][0-7])", s):
                    problems.append(f"line {i + 2}: {key} has a backslash that is no \\ooo: {s!r}")
                if any(ord(c) < 0x20 or ord(c) == 0x7f for c in s):
                    problems.append(f"line {i + 2}: {key} has a raw control character")
    return problems


def table_rows(path):
    rows = {}
    with open(path, "rb") as f:
        lines = f.read().split(b"\n")
    for line in lines[1:]:
        if not line:
            continue
        kind, pid, comm, name, access, ident, peers, _ = line.split(b"\t")
        peer_set = set()
        if peers != b"-":
            for p in peers.split(b","):
                ppid, pname = p.split(b":", 1)
                peer_set.add((int(ppid), unescape(pname)))
        rows[(kind.decode(), int(pid), unescape(name))] = (
            unescape(comm), access.decode(), int(ident), peer_set)
    return rows


def json_rows(data):
    rows = {}
    for o in data:
        peers = {(p["pid"], unescape(p["name"])) for p in o["peers"]}
        rows[(o["kind"], o["pid"], unescape(o["name"]))] = (
            unescape(o["comm"]), o["access"], o["id"], peers)
    return rows


def same(table, path):
    a, b = table_rows(table), json_rows(load(path))
    problems = []
    for key in sorted(set(a) | set(b)):
        if key not in b:
            problems.append(f"{key} is in channels, not in the JSON")
        elif key not in a:
            problems.append(f"{key} is in the JSON, not in channels")
        elif a[key] != b[key]:
            problems.append(f"{key}: channels {a[key]} JSON {b[key]}")
    return problems[:20]


def info_value(value):
    if value is None:
        return b"-"
    if value is True or value is False:
        return b"yes" if value else b"no"
    if isinstance(value, int):
        return str(value).encode()
    return unescape(value)


def info(mnt, path, pids):
    data = load(path)
    kinds = {(o["pid"], o["name"]): o["kind"] for o in data}
    problems = []
    for o in data:
        if str(o["pid"]) not in pids:
            continue
        where = f"{o['pid']}/{o['kind']}/{o['name']}"
        name = unescape(o["name"]).decode("utf-8", "surrogateescape")
        try:
            with open(f"{mnt}/{o['pid']}/{o['kind']}/{name}/info", "rb") as f:
                lines = f.read().split(b"\n")
        except OSError as e:
            problems.append(f"{where}: {e}")
            continue
        pairs = [line.split(b": ", 1) for line in lines if line]
        if [k.decode() for k, _ in pairs] != list(o):
            problems.append(f"{where}: info keys {[k for k, _ in pairs]} JSON keys {list(o)}")
            continue
        for (key, text), value in zip(pairs, o.values()):
            if key == b"peers":
                want = b" ".join(str(p["pid"]).encode() + b":" + p["name"].encode()
                                 for p in value) or b"-"
                if unescape(text) != unescape(want):
                    problems.append(f"{where}: info peers {text!r}, JSON {value}")
                for p in value:
                    if kinds.get((p["pid"], p["name"]), p["kind"]) != p["kind"]:
                        problems.append(f"{where}: peer {p} is of kind "
                                        f"{kinds[(p['pid'], p['name'])]}")
            elif unescape(text) != info_value(value):
                problems.append(f"{where}: info {key.decode()}: {text!r}, JSON {value!r}")
    return problems


def maker(report, path):
    data = load(path)
    by_fd = {(o["pid"], o["kind"], o["fd"]): o for o in data}
    comms = {o["pid"]: unescape(o["comm"]) for o in data}
    problems = []
    with open(report) as f:
        procs = [json.loads(line) for line in f if line.startswith("{")]
    for p in procs:
        if comms.get(p["pid"]) != bytes.fromhex(p["comm"]):
            problems.append(f"{p['role']} ({p['pid']}): comm {comms.get(p['pid'])!r}, "
                            f"made {bytes.fromhex(p['comm'])!r}")
        for e in p["eps"]:
            o = by_fd.get((p["pid"], e["kind"], e["fd"]))
            where = f"{p['role']} {e['kind']} fd {e['fd']}"
            if o is None:
                problems.append(f"{where}: not in the JSON")
                continue
            got = None if o.get("path") is None else unescape(o["path"])
            want = bytes.fromhex(e["path"]) if "path" in e else None
            if "path" in o and got != want:
                problems.append(f"{where}: path {got!r}, made {want!r}")
            for key in ("local", "remote"):
                if key in e and o.get(key) != e[key]:
                    problems.append(f"{where}: {key} {o.get(key)!r}, made {e[key]!r}")
    return problems


def main():
    cmds = {"doc": (doc, 1), "same": (same, 2), "maker": (maker, 2)}
    if len(sys.argv) >= 4 and sys.argv[1] == "info":
        problems = info(sys.argv[2], sys.argv[3], set(sys.argv[4:]))
    elif len(sys.argv) >= 2 and sys.argv[1] in cmds and len(sys.argv) == 2 + cmds[sys.argv[1]][1]:
        problems = cmds[sys.argv[1]][0](*sys.argv[2:])
    else:
        sys.exit(__doc__)
    for p in problems:
        print(p)


if __name__ == "__main__":
    main()
