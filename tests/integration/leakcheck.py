#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""leakcheck.py REPORT CMD [ARG...]

Runs CMD as a child of a process that is a child subreaper
(PR_SET_CHILD_SUBREAPER), so every process CMD leaves behind -- however it
daemonized -- is re-parented to us.  After CMD exits we wait up to
$LEAKCHECK_GRACE seconds (default 3) for such orphans to go away, then
write one line per survivor ("PID CMDLINE") to REPORT, SIGKILL them, and
exit with CMD's exit status (128+N if it was killed by signal N).  REPORT
is empty when nothing leaked.  stdin/stdout/stderr are passed through.
"""
import ctypes, os, signal, sys, time

PR_SET_CHILD_SUBREAPER = 36


def children(me):
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
        except OSError:
            continue
        fields = st[st.rfind(")") + 2:].split()
        if int(fields[1]) == me and fields[0] != "Z":
            out.append(int(d))
    return out


def reap():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return "?"


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: leakcheck.py REPORT CMD [ARG...]")
    report, argv = sys.argv[1], sys.argv[2:]
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit("leakcheck: prctl(PR_SET_CHILD_SUBREAPER) failed")
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(argv[0], argv)
        except OSError as e:
            sys.stderr.write("leakcheck: %s: %s\n" % (argv[0], e))
            os._exit(127)
    _, status = os.waitpid(pid, 0)
    rc = os.waitstatus_to_exitcode(status)
    if rc < 0:
        rc = 128 - rc
    me = os.getpid()
    deadline = time.monotonic() + float(os.environ.get("LEAKCHECK_GRACE", "3"))
    left = []
    while True:
        reap()
        left = children(me)
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    with open(report, "w") as f:
        for p in left:
            f.write("%d %s\n" % (p, cmdline(p)))
    for p in left:
        try:
            os.kill(p, signal.SIGKILL)
        except OSError:
            pass
    if left:
        time.sleep(0.1)
        reap()
    sys.exit(rc)


if __name__ == "__main__":
    main()
