/* SPDX-License-Identifier: Apache-2.0 */
/* Pure logic of src/lib: the setup plan, mount option lowering, signal
   names, container ids.  No root, no system calls that change anything. */
#include <config.h>
#include "tap.h"
#include "hydra.h"
#include "mount_opts.h"
#include "oci.h"
#include "plan.h"

#include <sched.h>
#include <signal.h>
#include <sys/mount.h>

static oci_config *
parse (const char *json, hr_err *err)
{
  oci_config *c = NULL;
  if (oci_config_parse_data (json, strlen (json), "config.json", &c, err) < 0)
    return NULL;
  return c;
}

#define BASE_PROCESS "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0}}"

static struct hr_plan *
plan_of (const char *json, oci_config **cfg, hr_err *err)
{
  struct hr_plan_opts o = { .rootfs = "/tmp/rootfs" };
  struct hr_plan *p = NULL;
  *cfg = parse (json, err);
  if (*cfg == NULL)
    return NULL;
  if (hr_plan_build (*cfg, &o, &p, err) < 0)
    return NULL;
  return p;
}

static int
index_of (const struct hr_plan *p, enum hr_step_kind k)
{
  for (size_t i = 0; i < p->len; i++)
    if (p->steps[i].kind == k)
      return (int) i;
  return -1;
}

static void
test_plan_order (void)
{
  hr_err err = NULL;
  oci_config *cfg = NULL;
  struct hr_plan *p = plan_of (
    "{\"ociVersion\":\"1.3.0\"," BASE_PROCESS ",\"root\":{\"path\":\"rootfs\",\"readonly\":true},"
    "\"hostname\":\"box\",\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
    "{\"destination\":\"/data\",\"source\":\"/srv\",\"options\":[\"rbind\",\"ro\"]}],"
    "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"},{\"type\":\"uts\"},"
    "{\"type\":\"network\",\"path\":\"/run/netns/x\"}],\"maskedPaths\":[\"/proc/kcore\"],"
    "\"readonlyPaths\":[\"/proc/sys\"]}}",
    &cfg, &err);

  ok (p != NULL, "plan builds (%s)", err ? err->msg : "");
  if (p == NULL)
    return;
  ok (p->clone_flags == (CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS), "new namespaces are pid+mount+uts, network is joined");
  is_int (p->steps[0].kind, STEP_JOIN_NS, "joining comes first");
  is_str (p->steps[0].path, "/run/netns/x", "join path kept");
  ok (index_of (p, STEP_BIND_ROOTFS) < index_of (p, STEP_MOUNT), "rootfs bound before mounts");
  ok (index_of (p, STEP_MOUNT) < index_of (p, STEP_DEFAULT_DEVICES), "mounts before devices");
  ok (index_of (p, STEP_DEV_SYMLINKS) < index_of (p, STEP_PIVOT_ROOT), "devices before pivot_root");
  ok (index_of (p, STEP_PIVOT_ROOT) < index_of (p, STEP_MASK_PATH), "masking after pivot_root");
  ok (index_of (p, STEP_READONLY_PATH) < index_of (p, STEP_ROOT_READONLY), "root made read-only last");
  ok (index_of (p, STEP_LOOKUP_EXEC) < index_of (p, STEP_SET_USER), "executable looked up before dropping privileges");
  ok (index_of (p, STEP_CAPS) < index_of (p, STEP_REPORT_CREATED), "caps before reporting created");
  is_int (p->steps[p->len - 1].kind, STEP_EXEC, "exec is the last step");
  is_int (p->steps[p->len - 2].kind, STEP_WAIT_START, "wait for start just before exec");
  int m = index_of (p, STEP_MOUNT);
  ok (p->steps[m + 1].opts.rbind && (p->steps[m + 1].opts.attr_set & MOUNT_ATTR_RDONLY), "rbind,ro lowered");
  char *text = hr_plan_format (p);
  ok (strstr (text, "pivot-root") && strstr (text, "hostname box"), "plan prints for --debug");
  free (text);
  hr_plan_free (p);
  oci_config_free (cfg);
}

/* The seccomp filter is in place before the startContainer hooks run,
   whichever of its two positions it takes (runc runs the hooks under it). */
static void
test_plan_seccomp_hooks (void)
{
  static const char *procs[] = {
    "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"}",
    "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\",\"noNewPrivileges\":true}",
  };
  for (int nnp = 0; nnp < 2; nnp++)
    {
      hr_err err = NULL;
      oci_config *cfg = NULL;
      char json[1024];
      snprintf (json, sizeof (json),
                "{\"ociVersion\":\"1.3.0\",%s,\"root\":{\"path\":\"rootfs\"},"
                "\"hooks\":{\"startContainer\":[{\"path\":\"/bin/true\"}]},"
                "\"linux\":{\"namespaces\":[{\"type\":\"mount\"}],\"personality\":{\"domain\":\"LINUX\"},"
                "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\"}}}",
                procs[nnp]);
      struct hr_plan *p = plan_of (json, &cfg, &err);
      ok (p != NULL, "plan with seccomp and a startContainer hook builds (%s)", err ? err->msg : "");
      if (p == NULL)
        {
          hr_error_free (&err);
          oci_config_free (cfg);
          continue;
        }
      int hooks = -1;
      for (size_t i = 0; i < p->len; i++)
        if (p->steps[i].kind == STEP_CONTAINER_HOOKS && strcmp (p->steps[i].path, "startContainer") == 0)
          hooks = (int) i;
      ok (hooks > index_of (p, STEP_WAIT_START), "%s: startContainer hooks after start", nnp ? "nnp" : "no nnp");
      ok (index_of (p, STEP_SECCOMP) >= 0 && index_of (p, STEP_SECCOMP) < hooks,
          "%s: seccomp before the startContainer hooks", nnp ? "nnp" : "no nnp");
      ok (index_of (p, STEP_PERSONALITY) < hooks, "%s: personality before the startContainer hooks",
          nnp ? "nnp" : "no nnp");
      if (nnp)
        ok (index_of (p, STEP_SECCOMP) > index_of (p, STEP_NO_NEW_PRIVS), "nnp: seccomp after no_new_privs");
      else
        ok (index_of (p, STEP_SECCOMP) < index_of (p, STEP_SET_USER), "no nnp: seccomp before the user change");
      hr_plan_free (p);
      oci_config_free (cfg);
    }
}

static void
expect_plan_error (const char *linux_json, const char *want, const char *what)
{
  hr_err err = NULL;
  oci_config *cfg = NULL;
  char json[2048];
  snprintf (json, sizeof (json), "{\"ociVersion\":\"1.3.0\"," BASE_PROCESS ",\"root\":{\"path\":\"r\"},%s}", linux_json);
  struct hr_plan *p = plan_of (json, &cfg, &err);
  ok (p == NULL && err && strstr (err->msg, want), "%s", what);
  if (err && !strstr (err->msg, want))
    printf ("#   got: %s\n", err->msg);
  hr_plan_free (p);
  oci_config_free (cfg);
  hr_error_free (&err);
}

static void
test_plan_errors (void)
{
  expect_plan_error ("\"linux\":{\"namespaces\":[{\"type\":\"pid\"}]}", "mount namespace is required",
                     "no mount namespace refused");
  expect_plan_error ("\"linux\":{\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"mount\"}]}", "duplicate",
                     "duplicate namespace refused");
  expect_plan_error ("\"hostname\":\"x\",\"linux\":{\"namespaces\":[{\"type\":\"mount\"}]}", "uts namespace",
                     "hostname without uts namespace refused");
  expect_plan_error ("\"mounts\":[{\"destination\":\"rel\",\"type\":\"tmpfs\"}],\"linux\":{\"namespaces\":[{\"type\":\"mount\"}]}",
                     "absolute", "relative mount destination refused");
  expect_plan_error ("\"mounts\":[{\"destination\":\"/x\",\"options\":[\"bind\"]}],\"linux\":{\"namespaces\":[{\"type\":\"mount\"}]}",
                     "without a source", "bind without source refused");
  expect_plan_error ("\"linux\":{\"rootfsPropagation\":\"weird\",\"namespaces\":[{\"type\":\"mount\"}]}",
                     "rootfsPropagation", "unknown rootfsPropagation refused");
}

static void
test_caps_rlimits (void)
{
  hr_err err = NULL;
  oci_config *cfg = NULL;
  struct hr_plan *p = plan_of ("{\"ociVersion\":\"1.3.0\",\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\","
                               "\"capabilities\":{\"bounding\":[\"CAP_KILL\",\"CAP_CHOWN\"],\"effective\":[\"CAP_KILL\"]},"
                               "\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":10,\"soft\":5}]},"
                               "\"root\":{\"path\":\"r\"},\"linux\":{\"namespaces\":[{\"type\":\"mount\"}]}}",
                               &cfg, &err);
  ok (p != NULL, "caps plan builds");
  if (p)
    {
      ok (p->caps.bounding == ((1ULL << 5) | (1ULL << 0)), "bounding = CAP_KILL|CAP_CHOWN");
      ok (p->caps.effective == (1ULL << 5), "effective = CAP_KILL");
      int r = index_of (p, STEP_RLIMIT);
      ok (r >= 0 && p->steps[r].soft == 5 && p->steps[r].hard == 10, "rlimit lowered");
    }
  hr_plan_free (p);
  oci_config_free (cfg);

  hr_error_free (&err);
  p = plan_of ("{\"ociVersion\":\"1.3.0\",\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\","
               "\"capabilities\":{\"bounding\":[\"CAP_NOPE\"]}},\"root\":{\"path\":\"r\"},"
               "\"linux\":{\"namespaces\":[{\"type\":\"mount\"}]}}",
               &cfg, &err);
  ok (p == NULL && err && strstr (err->msg, "unknown capability `CAP_NOPE`"), "unknown capability refused");
  hr_error_free (&err);
  oci_config_free (cfg);
}

static void
test_mount_opts (void)
{
  char *o1[] = { "nosuid", "noexec", "strictatime", "mode=755", "size=65536k", "rprivate", NULL };
  struct hr_mount_opts m;
  hr_err err = NULL;

  ok (hr_mount_opts_parse (o1, 6, &m, &err) == 0, "options parse");
  ok ((m.attr_set & (MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC)) == (MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC), "nosuid,noexec set");
  ok ((m.attr_set & MOUNT_ATTR__ATIME) == MOUNT_ATTR_STRICTATIME && m.atime_set, "strictatime is the atime mode");
  is_int (m.fs_options_len, 2, "two filesystem options");
  is_str (m.fs_options[0], "mode=755", "fs option order kept");
  ok (m.propagation == MS_PRIVATE && m.propagation_recursive, "rprivate");
  ok (!m.attr_recursive, "no recursive attribute");
  hr_mount_opts_clear (&m);

  char *o2[] = { "ro", "rw", "rnosuid", NULL };
  hr_mount_opts_parse (o2, 3, &m, &err);
  ok (!(m.attr_set & MOUNT_ATTR_RDONLY) && (m.attr_clear & MOUNT_ATTR_RDONLY), "later rw overrides ro");
  ok (m.attr_recursive, "rnosuid is recursive");
  hr_mount_opts_clear (&m);

  char *o3[] = { "", NULL };
  ok (hr_mount_opts_parse (o3, 1, &m, &err) < 0, "empty option refused");
  hr_error_free (&err);

  int n = 0;
  for (const char *const *k = hr_mount_opts_known (); *k; k++)
    n += strcmp (*k, "rro") == 0;
  ok (n == 1, "features lists rro");
}

static void
test_signals_ids (void)
{
  hr_err err = NULL;
  int s = 0;
  ok (hr_parse_signal ("KILL", &s, &err) == 0 && s == SIGKILL, "KILL");
  ok (hr_parse_signal ("SIGTERM", &s, &err) == 0 && s == SIGTERM, "SIGTERM");
  ok (hr_parse_signal ("sigusr1", &s, &err) == 0 && s == SIGUSR1, "sigusr1 (any case)");
  ok (hr_parse_signal ("9", &s, &err) == 0 && s == 9, "9");
  ok (hr_parse_signal ("RTMIN+2", &s, &err) == 0 && s == SIGRTMIN + 2, "RTMIN+2");
  ok (hr_parse_signal ("NOPE", &s, &err) < 0 && strstr (err->msg, "unknown signal"), "unknown name refused");
  hr_error_free (&err);
  ok (hr_parse_signal ("0", &s, &err) == 0 && s == 0, "0 (existence check) accepted, as runc does");
  ok (hr_parse_signal ("-1", &s, &err) < 0, "negative refused");
  hr_error_free (&err);
  ok (hr_parse_signal ("99999", &s, &err) < 0, "out of range refused");
  hr_error_free (&err);

  ok (hr_validate_id ("abc_1.2-3+x", &err) == 0, "valid id");
  const char *bad[] = { "", "../x", "a/b", ".hidden", "a b", "a\nb", NULL };
  for (int i = 0; bad[i]; i++)
    {
      ok (hr_validate_id (bad[i], &err) < 0, "invalid id #%d refused", i);
      hr_error_free (&err);
    }
  char longid[1100];
  memset (longid, 'a', sizeof (longid));
  longid[1024] = '\0';
  ok (hr_validate_id (longid, &err) == 0, "1024 chars allowed");
  longid[1024] = 'a';
  longid[1025] = '\0';
  ok (hr_validate_id (longid, &err) < 0, "1025 chars refused");
  hr_error_free (&err);
}

int
main (void)
{
  test_plan_order ();
  test_plan_seccomp_hooks ();
  test_plan_errors ();
  test_caps_rlimits ();
  test_mount_opts ();
  test_signals_ids ();
  return tap_done ();
}
