/* SPDX-License-Identifier: Apache-2.0 */
/* Landlock's pure side: which access rights a policy handles on each ABI
   and what the report says; the blocked-command scan on a tree made in
   /tmp; where STEP_LANDLOCK goes in the create and exec plans.  No root. */
#include <config.h>
#include "tap.h"
#include "kernel/landlock.h"
#include "oci.h"
#include "sandbox/blocked.h"
#include "setup/plan.h"
#include "util.h"

#include <fcntl.h>
#include <linux/landlock.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char *writable[] = { "/tmp", "/workspace" };
static char *blocked[] = { "curl", "wget", "nc" };
static char *exec_paths[] = { "/bin", "/usr/bin", "/opt/none" };

static struct hr_policy
policy (void)
{
  return (struct hr_policy){ .writable = writable, .n_writable = 2, .blocked = blocked, .n_blocked = 3,
                             .exec_paths = exec_paths, .n_exec = 3 };
}

static void
test_lower (void)
{
  struct hr_policy p = policy ();
  struct hr_landlock_masks m;
  struct hr_landlock_report r;

  hr_landlock_lower (0, &p, &m, &r);
  ok (m.fs == 0 && m.net == 0 && m.scoped == 0, "ABI 0: nothing handled");
  ok (r.state[HR_LL_FS_WRITE] == HR_LL_MISSING && r.state[HR_LL_EXEC] == HR_LL_MISSING
        && r.state[HR_LL_SCOPE_SIGNAL] == HR_LL_MISSING && hr_landlock_report_incomplete (&r),
      "ABI 0: every feature missing, the report is incomplete");
  ok (r.why[HR_LL_EXEC] && strstr (r.why[HR_LL_EXEC], "no Landlock"), "ABI 0: says why (%s)", r.why[HR_LL_EXEC]);
  ok (r.state[HR_LL_TCP_CONNECT] == HR_LL_NOT_ASKED, "allow_internet false: TCP connect not asked (loopback-only netns)");

  hr_landlock_lower (1, &p, &m, &r);
  is_int (m.fs, (1ULL << 13) - 1, "ABI 1: EXECUTE..MAKE_SYM handled");
  ok (!(m.fs_write & LANDLOCK_ACCESS_FS_EXECUTE) && (m.fs_write & LANDLOCK_ACCESS_FS_MAKE_REG), "writable paths: all but execute");
  is_int (m.fs_dev, LANDLOCK_ACCESS_FS_WRITE_FILE, "ABI 1: /dev gets write only");
  ok (r.state[HR_LL_FS_WRITE] == HR_LL_ENFORCED && r.state[HR_LL_EXEC] == HR_LL_ENFORCED
        && r.state[HR_LL_REFER] == HR_LL_MISSING && strstr (r.why[HR_LL_REFER], "EXDEV"),
      "ABI 1: write and exec enforced, refer missing (EXDEV)");

  hr_landlock_lower (2, &p, &m, &r);
  ok ((m.fs & LANDLOCK_ACCESS_FS_REFER) && r.state[HR_LL_REFER] == HR_LL_ENFORCED
        && r.state[HR_LL_TRUNCATE] == HR_LL_MISSING,
      "ABI 2: refer handled, truncate missing");
  hr_landlock_lower (3, &p, &m, &r);
  ok ((m.fs & (1ULL << 14)) && (m.fs_dev & (1ULL << 14)) && r.state[HR_LL_TRUNCATE] == HR_LL_ENFORCED
        && r.state[HR_LL_IOCTL_DEV] == HR_LL_MISSING,
      "ABI 3: truncate handled (and granted on /dev), ioctl_dev missing");

  /* an allow-list: TCP connect by port from ABI 4 */
  struct hr_policy_dest d[2] = { { .text = "10.0.0.1:443", .port = 443 }, { .text = "10.0.0.0/8:80", .port = 80 } };
  p.allow = d;
  p.n_allow = 2;
  hr_landlock_lower (3, &p, &m, &r);
  ok (m.net == 0 && r.state[HR_LL_TCP_CONNECT] == HR_LL_MISSING && strstr (r.why[HR_LL_TCP_CONNECT], "ABI < 4"),
      "ABI 3 with an allow-list: TCP connect missing");
  hr_landlock_lower (4, &p, &m, &r);
  ok (m.net == 2 && r.state[HR_LL_TCP_CONNECT] == HR_LL_ENFORCED, "ABI 4: CONNECT_TCP handled, BIND_TCP not");
  ok (r.state[HR_LL_TCP_BIND] == HR_LL_NOT_ASKED && strstr (r.why[HR_LL_TCP_BIND], "listening"),
      "bind: not asked, and the report says so");
  ok (!(m.fs & (1ULL << 15)) && m.scoped == 0, "ABI 4: no ioctl_dev, no scoping");
  d[1].port = 0;
  hr_landlock_lower (4, &p, &m, &r);
  ok (m.net == 0 && r.state[HR_LL_TCP_CONNECT] == HR_LL_NOT_ASKED && strstr (r.why[HR_LL_TCP_CONNECT], "any port"),
      "an entry with port * : ports cannot narrow it, left to eBPF");
  d[1].port = 80;
  p.internet = true;
  hr_landlock_lower (6, &p, &m, &r);
  ok (m.net == 0 && r.state[HR_LL_TCP_CONNECT] == HR_LL_NOT_ASKED, "allow_internet true: no TCP rule");
  p.internet = false;

  hr_landlock_lower (5, &p, &m, &r);
  ok ((m.fs & (1ULL << 15)) && (m.fs_dev & (1ULL << 15)) && r.state[HR_LL_SCOPE_SIGNAL] == HR_LL_MISSING
        && r.state[HR_LL_SCOPE_ABSTRACT_UNIX] == HR_LL_MISSING,
      "ABI 5: ioctl_dev handled (granted on /dev), scoping missing");
  hr_landlock_lower (6, &p, &m, &r);
  ok (m.scoped == 3 && !hr_landlock_report_incomplete (&r), "ABI 6: both scopes, nothing missing");
  hr_landlock_lower (7, &p, &m, &r);
  ok (m.scoped == 3 && m.fs == ((1ULL << 16) - 1) && !hr_landlock_report_incomplete (&r),
      "a newer ABI handles what this runtime knows");

  _cleanup_free_ char *json = hr_landlock_report_json (&r);
  ok (json && strstr (json, "\"abi\":7") && strstr (json, "\"scope_signal\":{\"state\":\"enforced\"}")
        && strstr (json, "\"multicall_left_to_ebpf\":0"),
      "report as JSON: %s", json ? json : "(null)");
  hr_landlock_lower (3, &p, &m, &r);
  _cleanup_free_ char *j3 = hr_landlock_report_json (&r);
  ok (j3 && strstr (j3, "\"ioctl_dev\":{\"state\":\"missing\",\"why\":\"Landlock ABI < 5"), "ABI 3 JSON says why: %s",
      j3 ? j3 : "(null)");
  is_str (hr_landlock_feature_name (HR_LL_SCOPE_ABSTRACT_UNIX), "scope_abstract_unix_socket", "feature names");
}

static void
touch (int root, const char *path)
{
  int fd = openat (root, path, O_WRONLY | O_CREAT | O_CLOEXEC, 0755);
  if (fd >= 0)
    close (fd);
}

static const struct hr_blocked_exe *
find (const struct hr_blocked_exe *b, size_t n, int root, const char *path)
{
  struct stat st;
  if (fstatat (root, path, &st, 0) < 0)
    return NULL;
  for (size_t i = 0; i < n; i++)
    if (b[i].dev == (uint64_t) st.st_dev && b[i].ino == (uint64_t) st.st_ino)
      return &b[i];
  return NULL;
}

static void
test_blocked_scan (void)
{
  char tmpl[] = "/tmp/test-landlock-XXXXXX";
  char *dir = mkdtemp (tmpl);
  ok (dir != NULL, "made %s", tmpl);
  if (dir == NULL)
    return;
  int root = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  mkdirat (root, "bin", 0755);
  mkdirat (root, "usr", 0755);
  mkdirat (root, "usr/bin", 0755);
  mkdirat (root, "usr/bin/sub", 0755);
  mkdirat (root, "opt", 0755);
  touch (root, "bin/busybox");
  symlinkat ("busybox", root, "bin/sh");
  symlinkat ("/bin/busybox", root, "bin/nc");        /* absolute: resolved in the root */
  touch (root, "usr/bin/curl");                      /* dedicated */
  symlinkat ("../usr/bin/curl", root, "bin/curl");
  touch (root, "usr/bin/sub/wget");                  /* dedicated, in a subtree */
  touch (root, "opt/nc");                            /* outside the trees: not blocked */
  symlinkat ("/opt", root, "usr/bin/optlink");       /* a symlinked directory is not descended */
  symlinkat ("/../../../../etc/passwd", root, "bin/escape"); /* stays in the root */

  struct hr_policy p = policy ();
  struct hr_blocked_exe *b = NULL;
  size_t n = 0;
  hr_err err = NULL;
  ok (hr_blocked_scan_policy (root, &p, &b, &n, &err) == 0, "scan (%s)", err ? err->msg : "");
  is_int (n, 3, "three files: busybox (as nc), curl, wget");
  const struct hr_blocked_exe *bb = find (b, n, root, "bin/busybox"), *curl = find (b, n, root, "usr/bin/curl"),
                              *wget = find (b, n, root, "usr/bin/sub/wget");
  ok (bb && bb->multicall, "busybox is multi-call (sh is not blocked)");
  ok (curl && !curl->multicall, "curl is dedicated (only blocked names reach it)");
  ok (wget && !wget->multicall, "wget in a subdirectory is found");
  ok (find (b, n, root, "opt/nc") == NULL, "a blocked name outside executable_paths is not");
  free (b);

  /* one other directory entry is the file's own name: still dedicated
     (a hard link of curl is curl; Debian's nc -> nc.openbsd is nc) */
  linkat (root, "usr/bin/curl", root, "usr/bin/fetch", 0);
  touch (root, "bin/nc.openbsd");
  unlinkat (root, "bin/nc", 0);
  symlinkat ("nc.openbsd", root, "bin/nc");
  ok (hr_blocked_scan_policy (root, &p, &b, &n, &err) == 0 && (curl = find (b, n, root, "usr/bin/curl"))
        && !curl->multicall,
      "curl hard-linked as fetch: still dedicated");
  const struct hr_blocked_exe *nc = find (b, n, root, "bin/nc.openbsd");
  ok (nc && !nc->multicall, "nc -> nc.openbsd: dedicated");
  ok ((bb = find (b, n, root, "bin/busybox")) == NULL, "busybox no longer reached by a blocked name");
  free (b);
  /* a symlink by a name that is not blocked, or two other entries: another command */
  symlinkat ("nc.openbsd", root, "bin/netcat");
  linkat (root, "usr/bin/curl", root, "usr/bin/fetch2", 0);
  ok (hr_blocked_scan_policy (root, &p, &b, &n, &err) == 0 && (nc = find (b, n, root, "bin/nc.openbsd"))
        && nc->multicall && (curl = find (b, n, root, "usr/bin/curl")) && curl->multicall,
      "nc.openbsd also as netcat, curl as fetch and fetch2: multi-call");
  free (b);
  unlinkat (root, "bin/netcat", 0);
  unlinkat (root, "usr/bin/fetch2", 0);

  /* the runtime's side of the report: the same counts */
  struct hr_landlock_report r;
  ok (hr_landlock_report_for (root, &p, &r, &err) == 0, "report_for (%s)", err ? err->msg : "");
  if (r.abi == 0)
    ok (r.blocked_excluded == 0 && r.blocked_multicall == 0, "no Landlock: nothing counted");
  else
    ok (r.blocked_excluded == 3 && r.blocked_multicall == 0, "report_for counts curl, wget and nc.openbsd dedicated");

  char *none[] = { "/nowhere" };
  ok (hr_blocked_scan (root, none, 1, blocked, 3, &b, &n, &err) == 0 && n == 0, "a missing tree is skipped");
  free (b);
  close (root);
  _cleanup_free_ char *rm = xasprintf ("rm -rf '%s'", dir);
  ok (system (rm) == 0, "cleaned up");
}

static ssize_t
index_of (const struct hr_plan *p, enum hr_step_kind k)
{
  for (size_t i = 0; i < p->len; i++)
    if (p->steps[i].kind == k)
      return (ssize_t) i;
  return -1;
}

static void
test_plan (void)
{
  static const char *const configs[] = {
    /* no seccomp, no no_new_privs */
    "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"rootfs\"},\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"},"
    "\"linux\":{\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"pid\"}]}}",
    /* seccomp with no_new_privs: last before exec */
    "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"rootfs\"},\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\","
    "\"noNewPrivileges\":true},\"linux\":{\"namespaces\":[{\"type\":\"mount\"}],"
    "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"}]}}}",
    /* seccomp without no_new_privs: before the uid change */
    "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"rootfs\"},\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"},"
    "\"linux\":{\"namespaces\":[{\"type\":\"mount\"}],"
    "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"}]}}}",
  };
  struct hr_policy pol = policy ();

  for (size_t i = 0; i < sizeof (configs) / sizeof (*configs); i++)
    {
      oci_config *cfg = NULL;
      hr_err err = NULL;
      struct hr_plan *p = NULL, *e = NULL, *plain = NULL;
      struct hr_plan_opts o = { .rootfs = "/tmp/rootfs", .bundle = "/tmp/bundle", .policy = &pol };
      struct hr_plan_opts o0 = { .rootfs = "/tmp/rootfs", .bundle = "/tmp/bundle" };
      ok (oci_config_parse_data (configs[i], strlen (configs[i]), "config.json", &cfg, &err) == 0
            && hr_plan_build (cfg, &o, &p, &err) == 0 && hr_plan_build (cfg, &o0, &plain, &err) == 0
            && hr_plan_build_exec_policy (cfg, cfg->process, 0, &pol, &e, &err) == 0,
          "config %zu: plans build (%s)", i, err ? err->msg : "");
      if (p == NULL || e == NULL || plain == NULL)
        continue;
      for (int which = 0; which < 2; which++)
        {
          struct hr_plan *q = which ? e : p;
          const char *w = which ? "exec" : "create";
          ssize_t ll = index_of (q, STEP_LANDLOCK), sc = index_of (q, STEP_SECCOMP);
          ok (ll >= 0, "config %zu %s: a landlock step", i, w);
          ok (sc < 0 || ll < sc, "config %zu %s: before seccomp", i, w);
          ok (ll > index_of (q, STEP_LOOKUP_EXEC) && ll > index_of (q, STEP_CHDIR) && ll > index_of (q, STEP_HOME)
                && ll > index_of (q, STEP_PIVOT_ROOT) && ll > index_of (q, STEP_CONSOLE)
                && ll > index_of (q, STEP_SETSID),
              "config %zu %s: after everything that opens files in the rootfs", i, w);
          ok (ll < index_of (q, STEP_SET_USER) && ll < index_of (q, STEP_CAPS_BOUNDING),
              "config %zu %s: still as root (the scan reads every executable path)", i, w);
          ok (q->policy == &pol, "config %zu %s: the plan carries the policy", i, w);
        }
      ok (index_of (plain, STEP_LANDLOCK) < 0, "config %zu: no policy, no landlock step", i);
      _cleanup_free_ char *text = hr_plan_format (p);
      ok (text && strstr (text, "landlock"), "config %zu: the step has a name in --debug", i);
      hr_plan_free (p);
      hr_plan_free (e);
      hr_plan_free (plain);
      oci_config_free (cfg);
    }
  struct hr_plan *e = NULL;
  oci_config *cfg = NULL;
  hr_err err = NULL;
  ok (oci_config_parse_data (configs[0], strlen (configs[0]), "config.json", &cfg, &err) == 0
        && hr_plan_build_exec (cfg, cfg->process, 0, &e, &err) == 0 && index_of (e, STEP_LANDLOCK) < 0,
      "hr_plan_build_exec: no policy, no step");
  hr_plan_free (e);
  oci_config_free (cfg);
}

int
main (void)
{
  test_lower ();
  test_blocked_scan ();
  test_plan ();
  return tap_done ();
}
