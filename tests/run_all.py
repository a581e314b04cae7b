#!/usr/bin/env python3
"""Runs every test (cmocka unit tests registered with meson, then the
end-to-end scripts tests/e2e/test_*.sh and the bounded fuzz run
tests/fuzz/test_fuzz.sh), echoes their TAP output and ends with the line
"N passed, N failed"; exits 1 when anything failed.  Scripts named (by
their path from the top, e.g. tests/e2e/test_install.sh) in the
space-separated SKIP_TESTS are skipped."""
import glob
import json
import os
import re
import subprocess
import sys

TAP = re.compile(r"^(not ok|ok)\b\s*\d*\s*-?\s*(.*)$")


def run(name, cmd, cwd, env, timeout):
    """Runs one TAP producer; returns (passed, failed, skipped)."""
    print(f"# --- {name}", flush=True)
    try:
        proc = subprocess.run(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              timeout=timeout, text=True, errors="replace")
        out, code = proc.stdout, proc.returncode
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        out += f"\nnot ok - {name} timed out after {timeout}s\n"
        code = -1
    passed = failed = 0
    for line in out.splitlines():
        print(line)
        m = TAP.match(line)
        if not m:
            continue
        if m.group(1) == "ok":
            passed += 1
        else:
            failed += 1
    if code == 77 and passed == 0 and failed == 0:
        print(f"# {name}: skipped")
        return 0, 0, 1
    if code != 0 and failed == 0:
        print(f"not ok - {name} exited with status {code}")
        failed += 1
    if passed == 0 and failed == 0:
        print(f"not ok - {name} reported no test")
        failed += 1
    return passed, failed, 0


def main():
    builddir = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    tests = json.loads(subprocess.run(["meson", "introspect", "--tests", builddir],
                                      check=True, stdout=subprocess.PIPE).stdout)
    totals = [0, 0, 0]
    for t in tests:
        env = dict(os.environ, CMOCKA_MESSAGE_OUTPUT="TAP")
        env.update(t.get("env") or {})
        result = run(t["name"], t["cmd"], t.get("workdir") or builddir, env, 120)
        totals = [a + b for a, b in zip(totals, result)]
    env = dict(os.environ,
               IPCFS=os.path.join(builddir, "ipcfs"),
               CHANMAKER=os.path.join(builddir, "tests", "chanmaker"))
    scripts = glob.glob(os.path.join(top, "tests", "e2e", "test_*.sh"))
    scripts += glob.glob(os.path.join(top, "tests", "fuzz", "test_*.sh"))
    skip = set(os.environ.get("SKIP_TESTS", "").split())
    for script in sorted(scripts):
        name = os.path.relpath(script, top)
        if name in skip:
            print(f"# --- {name}\n# {name}: skipped (SKIP_TESTS)", flush=True)
            totals[2] += 1
            continue
        result = run(name, ["bash", script], top, env, 300)
        totals = [a + b for a, b in zip(totals, result)]
    passed, failed, skipped = totals
    if skipped:
        print(f"# {skipped} test file(s) skipped")
    if passed + failed == 0:
        failed = 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
