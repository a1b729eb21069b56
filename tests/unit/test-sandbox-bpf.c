/* SPDX-License-Identifier: Apache-2.0 */
/* src/lib/sandbox/bpf_decode.c: ring buffer records as the BPF side writes
   them (bpf/sandbox_events.h), decoded into hr_audit_record.  No kernel. */
#include <config.h>
#include "tap.h"
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/types.h>
#include "sandbox/bpf_decode.h"

static struct hr_bpf_event ev;

static void
reset (__u32 type)
{
  memset (&ev, 0, sizeof ev);
  ev.type = type;
  ev.pid = 42;
  ev.ppid = 1;
  ev.ts = 1000;
  memcpy (ev.comm, "sh", 3);
}

static void
comps (const char *const *leaf_first, int n)
{
  ev.walked = 1;
  ev.n_comps = n;
  for (int i = 0; i < n; i++)
    snprintf (ev.comps[i], HR_EV_COMP, "%s", leaf_first[i]);
}

static void
test_clean (void)
{
  static const char *const cases[][2] = {
    { "/", "/" },           { "//a//b/", "/a/b" },     { "/a/./b/.", "/a/b" },
    { "/a/b/../c", "/a/c" }, { "/../..", "/" },          { "/a/..", "/" },
    { "/w/x/../../y", "/y" }, { "relative/../x", "relative/../x" },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      char buf[64];
      snprintf (buf, sizeof buf, "%s", cases[i][0]);
      hr_bpf_clean_path (buf);
      is_str (buf, cases[i][1], "clean %s", cases[i][0]);
    }
}

static void
test_exec (void)
{
  struct hr_bpf_decoder d = { .detailed = true, .realtime_offset = 5 };
  struct hr_audit_record r;
  static const char args[] = "sh\0-c\0echo hi";

  reset (HR_EV_EXEC);
  snprintf (ev.path, sizeof ev.path, "/bin/sh");
  memcpy (ev.args, args, sizeof args);
  ev.args_len = sizeof args - 1;
  is_int (hr_bpf_decode (&d, &ev, sizeof ev, &r), 1, "exec decoded");
  is_int (r.type, HR_AUDIT_EXEC, "exec type");
  is_int (r.time_ns, 1005, "monotonic time + the realtime offset");
  is_str (r.path, "/bin/sh", "exec path");
  is_int (r.argc, 3, "argc");
  is_str (r.argv[2], "echo hi", "argv[2]");
  ok (r.argv[3] == NULL, "argv NULL-terminated");
  is_str (r.comm, "sh", "comm");

  /* basic: no argv even if the kernel side sent it (the guard reads it) */
  d.detailed = false;
  hr_bpf_decode (&d, &ev, sizeof ev, &r);
  ok (r.argv == NULL && r.argc == 0, "basic level: no argv");

  /* a record shorter than the struct is refused */
  is_int (hr_bpf_decode (&d, &ev, sizeof ev - 1, &r), -1, "short record refused");
  reset (99);
  is_int (hr_bpf_decode (&d, &ev, sizeof ev, &r), -1, "unknown type refused");
}

/* A file record: op, the walked components (leaf first), the user string
   relative to them, truncated or not; decoded by d. */
static int
file_record (struct hr_bpf_decoder *d, __u8 op, const char *const *leaf_first, int n, const char *given,
             bool truncated, struct hr_audit_record *r)
{
  reset (HR_EV_FILE);
  ev.op = op;
  comps (leaf_first, n);
  snprintf (ev.path, sizeof ev.path, "%s", given);
  ev.truncated = truncated;
  return hr_bpf_decode (d, &ev, sizeof ev, r);
}

static void
test_file (void)
{
  char *mon[] = { "/workspace", "/tmp/" };
  struct hr_bpf_decoder d = { .monitored = mon, .n_monitored = 2 }, none = { 0 };
  struct hr_audit_record r;
  static const char *const f[] = { "f", "sub", "workspace" };
  static const char *const other[] = { "x", "workspace2" };
  static const char *const tmp[] = { "tmp" };

  is_int (file_record (&d, HR_OP_CREATE, f, 3, "", false, &r), 1, "file under a prefix reported");
  is_str (r.path, "/workspace/sub/f", "walked path joined leaf last");
  is_str (r.op, "create", "op");
  is_int (file_record (&d, HR_OP_MODIFY, other, 2, "", false, &r), 0, "/workspace2/x is not under /workspace");
  /* a user path relative to the walked working directory */
  is_int (file_record (&d, HR_OP_DELETE, tmp, 1, "./a/../b", false, &r), 1, "relative delete reported");
  is_str (r.path, "/tmp/b", "relative path joined and cleaned");
  /* the root itself: no components */
  is_int (file_record (&d, HR_OP_DELETE, NULL, 0, "workspace", false, &r), 1, "relative to /");
  is_str (r.path, "/workspace", "the prefix itself is monitored");
  /* deeper than the walk: marked, and not taken for a monitored path */
  is_int (file_record (&d, HR_OP_CREATE, f, 3, "", true, &r), 0, "a truncated path is not under /workspace");
  is_int (file_record (&none, HR_OP_CREATE, f, 3, "", false, &r), 0, "no monitored prefix: nothing");
}

static void
violation (__u8 rule, __u8 sc, int err, const char *path)
{
  reset (HR_EV_VIOLATION);
  ev.rule = rule;
  ev.sc = sc;
  ev.err = err;
  snprintf (ev.path, sizeof ev.path, "%s", path);
}

static void
test_violations (void)
{
  struct hr_bpf_decoder d = { 0 };
  struct hr_audit_record r;

  violation (HR_RULE_INTERNET, HR_SC_CONNECT, 1, "");
  ev.family = AF_INET6;
  ev.port = 443;
  inet_pton (AF_INET6, "2001:db8::1", ev.addr);
  hr_bpf_decode (&d, &ev, sizeof ev, &r);
  is_str (r.rule, "allow_internet", "rule");
  is_str (r.what, "connect to [2001:db8::1]:443 denied", "v6 what");

  reset (HR_EV_CONNECT);
  ev.sc = HR_SC_SENDMSG;
  ev.family = AF_INET6;
  ev.addr[10] = ev.addr[11] = 0xff;
  inet_pton (AF_INET, "192.0.2.1", &ev.addr[12]);
  ev.port = 53;
  ev.allowed = 1;
  hr_bpf_decode (&d, &ev, sizeof ev, &r);
  is_str (r.addr, "192.0.2.1", "v4-mapped shown as v4");
  is_str (r.syscall, "sendmsg", "sendmsg");
  ok (r.allowed && r.path == NULL, "allowed, no path");

  violation (HR_RULE_BLOCKED, HR_SC_EXECVE, 0, "/bin/busybox");
  ev.how = HR_HOW_KILLED;
  memcpy (ev.name, "nc", 3);
  hr_bpf_decode (&d, &ev, sizeof ev, &r);
  is_str (r.what, "exec of /bin/busybox as blocked command `nc` killed before it ran", "multicall what");
  ev.how = HR_HOW_DENIED;
  ev.name[0] = 0;
  hr_bpf_decode (&d, &ev, sizeof ev, &r);
  is_str (r.what, "exec of /bin/busybox, the file of a blocked command, denied", "dedicated what");

  /* a name filling its whole field is still terminated */
  memset (ev.name, 'n', sizeof ev.name);
  ev.how = HR_HOW_KILLED;
  hr_bpf_decode (&d, &ev, sizeof ev, &r);
  ok (strstr (r.what, "`nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn`") != NULL, "unterminated name bounded");

  violation (HR_RULE_WRITABLE, HR_SC_OPENAT, 30, "/etc//passwd");
  hr_bpf_decode (&d, &ev, sizeof ev, &r);
  is_str (r.path, "/etc/passwd", "violation path cleaned");
  is_str (r.what, "openat /etc/passwd for writing: Read-only file system", "writable what");

  violation (HR_RULE_SUDO, HR_SC_SETUID, 1, "");
  hr_bpf_decode (&d, &ev, sizeof ev, &r);
  is_str (r.what, "setuid(0): Operation not permitted", "sudo what");

  /* the guard's memfd stop: executable_paths with how; Landlock's own
     denial (no how) keeps the call's words */
  violation (HR_RULE_EXEC, HR_SC_EXECVEAT, 1, "/dev/fd/3");
  ev.how = HR_HOW_DENIED;
  hr_bpf_decode (&d, &ev, sizeof ev, &r);
  is_str (r.rule, "executable_paths", "memfd rule");
  is_str (r.syscall, "execveat", "memfd syscall");
  is_str (r.path, "/dev/fd/3", "memfd path");
  is_str (r.what, "exec of an in-memory file (memfd), denied", "memfd what, denied");
  ev.how = HR_HOW_KILLED;
  ev.err = 0;
  hr_bpf_decode (&d, &ev, sizeof ev, &r);
  is_str (r.what, "exec of an in-memory file (memfd), killed before it ran", "memfd what, killed");
  violation (HR_RULE_EXEC, HR_SC_EXECVE, 13, "/tmp/copy");
  hr_bpf_decode (&d, &ev, sizeof ev, &r);
  is_str (r.what, "execve /tmp/copy: Permission denied", "Landlock's exec denial");

  /* an unterminated path from the kernel side stays in bounds */
  violation (HR_RULE_EXEC, HR_SC_EXECVE, 13, "");
  memset (ev.path, 'a', sizeof ev.path);
  ev.path[0] = '/';
  hr_bpf_decode (&d, &ev, sizeof ev, &r);
  is_int (strlen (r.path), HR_EV_PATH, "unterminated path bounded");
}

/* The pids in the task's pid namespace pass through as the BPF side
   read them, in every kind of record; the host pids stay apart. */
static void
test_ns_pids (void)
{
  struct hr_bpf_decoder d = { .n_monitored = 0 };
  struct hr_audit_record r;
  static const __u32 types[] = { HR_EV_EXEC, HR_EV_EXIT, HR_EV_CONNECT, HR_EV_PRIV, HR_EV_VIOLATION };

  for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
    {
      reset (types[i]);
      ev.ns_pid = 3;
      ev.ns_ppid = 1;
      ok (hr_bpf_decode (&d, &ev, sizeof ev, &r) == 1 && r.pid == 42 && r.ppid == 1 && r.ns_pid == 3
              && r.ns_ppid == 1,
          "type %u: ns pid 3, ns ppid 1, host pid 42", types[i]);
    }
  /* a file record of a process that never exec'd */
  char *root[] = { "/" };
  struct hr_bpf_decoder fd = { .monitored = root, .n_monitored = 1 };
  reset (HR_EV_FILE);
  ev.op = HR_OP_CREATE;
  ev.ns_pid = 7;
  snprintf (ev.path, sizeof ev.path, "/tmp/x");
  ok (hr_bpf_decode (&fd, &ev, sizeof ev, &r) == 1 && r.ns_pid == 7 && r.pid == 42, "file: ns pid 7");
  /* a parent outside the namespace (its pid 1's) */
  reset (HR_EV_EXEC);
  ev.ns_pid = 1;
  ev.ns_ppid = 0;
  hr_bpf_decode (&d, &ev, sizeof ev, &r);
  ok (r.ns_pid == 1 && r.ns_ppid == 0 && r.ppid == 1, "pid 1 of a namespace: ns ppid 0");
}

int
main (void)
{
  test_clean ();
  test_exec ();
  test_file ();
  test_violations ();
  test_ns_pids ();
  return tap_done ();
}
