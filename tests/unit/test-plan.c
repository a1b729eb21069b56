/* SPDX-License-Identifier: Apache-2.0 */
/* Pure logic of src/lib: the setup plan, mount option lowering, signal
   names, container ids.  No root, no system calls that change anything. */
#include <config.h>
#include "tap.h"
#include "hydra.h"
#include "kernel/mount_opts.h"
#include "oci.h"
#include "setup/plan.h"
#include "checkpoint/checkpoint.h"
#include "checkpoint/criu.h"
#include "util.h"
#include "lifecycle/values.h"
#include "lifecycle/notify.h"

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
  struct hr_plan_opts o = { .rootfs = "/tmp/rootfs", .bundle = "/tmp/bundle" };
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

  ok (p && p->len > 0 && p->steps[0].kind == STEP_CHDIR_BUNDLE && strcmp (p->steps[0].path, "/tmp/bundle") == 0,
      "the executor's first step: chdir to the bundle (relative bind sources)");
  ok (p != NULL, "plan builds (%s)", err ? err->msg : "");
  if (p == NULL)
    return;
  ok (p->clone_flags == (CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS), "new namespaces are pid+mount+uts, network is joined");
  is_int (p->steps[1].kind, STEP_JOIN_NS, "joining comes next");
  is_str (p->steps[1].path, "/run/netns/x", "join path kept");
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

/* runc's finalizeRootfs: a read-only /dev is mounted writable (the devices,
   /dev/pts and the console go in it) and made read-only at the end, before
   the root. */
static void
test_plan_dev_readonly (void)
{
  hr_err err = NULL;
  oci_config *cfg = NULL;
  struct hr_plan *p = plan_of (
    "{\"ociVersion\":\"1.3.0\",\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\",\"terminal\":true},"
    "\"root\":{\"path\":\"rootfs\",\"readonly\":true},"
    "\"mounts\":[{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"ro\",\"nosuid\"]},"
    "{\"destination\":\"/dev/pts\",\"type\":\"devpts\",\"source\":\"devpts\"}],"
    "\"linux\":{\"namespaces\":[{\"type\":\"mount\"}],\"maskedPaths\":[\"/proc/kcore\"]}}",
    &cfg, &err);

  ok (p != NULL, "plan with a read-only /dev builds (%s)", err ? err->msg : "");
  if (p == NULL)
    return;
  int m = index_of (p, STEP_MOUNT), d = index_of (p, STEP_DEV_READONLY);
  ok (!(p->steps[m].opts.attr_set & MOUNT_ATTR_RDONLY) && (p->steps[m].opts.attr_set & MOUNT_ATTR_NOSUID),
      "/dev is mounted writable, its other options kept");
  ok (d > index_of (p, STEP_DEV_SYMLINKS) && d > index_of (p, STEP_CONSOLE) && d > index_of (p, STEP_MASK_PATH),
      "/dev made read-only after devices, console and masks");
  ok (d >= 0 && d < index_of (p, STEP_ROOT_READONLY), "/dev made read-only before the root");
  hr_plan_free (p);
  oci_config_free (cfg);

  p = plan_of ("{\"ociVersion\":\"1.3.0\"," BASE_PROCESS ",\"root\":{\"path\":\"rootfs\"},"
               "\"mounts\":[{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"}],"
               "\"linux\":{\"namespaces\":[{\"type\":\"mount\"}]}}",
               &cfg, &err);
  ok (p != NULL && index_of (p, STEP_DEV_READONLY) < 0, "a writable /dev gets no dev-readonly step");
  hr_plan_free (p);
  oci_config_free (cfg);
}

/* process.apparmorProfile/selinuxLabel become one exec-labels step (lsm.c);
   linux.mountLabel labels the filesystem mounts but proc, sysfs and binds. */
static void
test_plan_labels (void)
{
  hr_err err = NULL;
  oci_config *cfg = NULL;
  struct hr_plan *p = plan_of (
    "{\"ociVersion\":\"1.3.0\",\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\",\"selinuxLabel\":\"u:r:t:s0\"},"
    "\"root\":{\"path\":\"rootfs\"},\"mounts\":["
    "{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
    "{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"},"
    "{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"/srv\",\"options\":[\"rbind\"]}],"
    "\"linux\":{\"mountLabel\":\"u:object_r:f:s0:c1,c2\",\"namespaces\":[{\"type\":\"mount\"}]}}",
    &cfg, &err);

  ok (p != NULL, "plan with labels builds (%s)", err ? err->msg : "");
  if (p == NULL)
    return;
  int m = index_of (p, STEP_MOUNT), e = index_of (p, STEP_EXEC_LABELS);
  ok (p->steps[m].value == NULL, "proc gets no mount label");
  is_str (p->steps[m + 1].value, "u:object_r:f:s0:c1,c2", "tmpfs gets the mount label");
  ok (p->steps[m + 2].value == NULL, "a bind mount gets no mount label");
  ok (e > index_of (p, STEP_PIVOT_ROOT) && e < index_of (p, STEP_SET_USER), "exec labels set inside, before the uid change");
  hr_plan_free (p);
  oci_config_free (cfg);

  p = plan_of ("{\"ociVersion\":\"1.3.0\",\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\",\"apparmorProfile\":\"\"},"
               "\"root\":{\"path\":\"rootfs\"},\"linux\":{\"namespaces\":[{\"type\":\"mount\"}]}}",
               &cfg, &err);
  ok (p != NULL && index_of (p, STEP_EXEC_LABELS) < 0, "empty labels: no exec-labels step");
  hr_plan_free (p);
  oci_config_free (cfg);
}

/* plan->parent_opens_binds for a config with one bind mount and this
   "linux" object; -1 when the plan does not build. */
static int
opens_binds (const char *linux_json)
{
  hr_err err = NULL;
  oci_config *cfg = NULL;
  char json[1024];
  snprintf (json, sizeof (json),
            "{\"ociVersion\":\"1.3.0\"," BASE_PROCESS ",\"root\":{\"path\":\"rootfs\"},"
            "\"mounts\":[{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"/srv\"}],\"linux\":%s}",
            linux_json);
  struct hr_plan *p = plan_of (json, &cfg, &err);
  int r = p ? p->parent_opens_binds : -1;
  /* a named step, right after the bundle chdir, or none at all */
  if (p && (index_of (p, STEP_RECV_BIND_SOURCES) == 1) != p->parent_opens_binds)
    r = -2;
  hr_plan_free (p);
  oci_config_free (cfg);
  hr_error_free (&err);
  return r;
}

/* runc 1.1's mount sources: with a new user and mount namespace the
   parent opens the bind sources; without a user namespace the init does. */
static void
test_plan_bind_sources (void)
{
  is_int (opens_binds ("{\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"user\"}],"
                       "\"uidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}],"
                       "\"gidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}]}"),
          1, "new user namespace: the parent opens bind sources");
  is_int (opens_binds ("{\"namespaces\":[{\"type\":\"mount\"}]}"), 0, "no user namespace: the init opens them");
}

/* The cgroup mount is a new instance only with a cgroup namespace (new
   or joined); without one it binds the container's own cgroup. */
static void
test_cgroup_mount_ns (void)
{
  static const char *const ns[] = { "", ",{\"type\":\"cgroup\"}", ",{\"type\":\"cgroup\",\"path\":\"/proc/1/ns/cgroup\"}" };
  for (int i = 0; i < 3; i++)
    {
      hr_err err = NULL;
      oci_config *cfg = NULL;
      char json[1024];
      snprintf (json, sizeof (json),
                "{\"ociVersion\":\"1.3.0\"," BASE_PROCESS ",\"root\":{\"path\":\"r\"},"
                "\"mounts\":[{\"destination\":\"/sys/fs/cgroup\",\"type\":\"cgroup\",\"source\":\"cgroup\"}],"
                "\"linux\":{\"namespaces\":[{\"type\":\"mount\"}%s]}}",
                ns[i]);
      struct hr_plan *p = plan_of (json, &cfg, &err);
      int m = p ? index_of (p, STEP_MOUNT_CGROUP) : -1;
      ok (m >= 0 && (p->steps[m].flags == HR_MOUNT_CGROUP_NS) == (i > 0), "cgroup mount, cgroup namespace case %d (%s)",
          i, err ? err->msg : "");
      hr_plan_free (p);
      oci_config_free (cfg);
      hr_error_free (&err);
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
  /* without a mount namespace: whatever needs a mount would change the host's table */
  expect_plan_error ("\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\"}],\"linux\":{\"namespaces\":[{\"type\":\"pid\"}]}",
                     "mounts: needs a mount, and without a mount namespace", "no mount namespace: mounts refused");
  expect_plan_error ("\"linux\":{\"maskedPaths\":[\"/proc/kcore\"]}", "linux.maskedPaths: needs a mount",
                     "no mount namespace: maskedPaths refused");
  expect_plan_error ("\"linux\":{\"rootfsPropagation\":\"rslave\"}", "linux.rootfsPropagation: needs a mount",
                     "no mount namespace: rootfsPropagation refused");
  expect_plan_error ("\"linux\":{\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"mount\"}]}", "duplicate",
                     "duplicate namespace refused");
  expect_plan_error ("\"hostname\":\"x\",\"linux\":{\"namespaces\":[{\"type\":\"mount\"}]}",
                     "unable to set hostname without a private UTS namespace", "hostname without uts namespace refused");
  expect_plan_error ("\"domainname\":\"x\",\"linux\":{\"namespaces\":[{\"type\":\"mount\"}]}",
                     "unable to set domainname without a private UTS namespace",
                     "domainname without uts namespace refused");
  /* runc's validator sysctl() */
#define NS_SYSCTL(ns, key) "\"linux\":{\"namespaces\":[{\"type\":\"mount\"}" ns "],\"sysctl\":{\"" key "\":\"1\"}}"
  expect_plan_error (NS_SYSCTL (",{\"type\":\"ipc\"},{\"type\":\"uts\"},{\"type\":\"network\"}", "vm.stat_interval"),
                     "sysctl \"vm.stat_interval\" is not in a separate kernel namespace", "vm.* refused");
  expect_plan_error (NS_SYSCTL ("", "kernel.domainname"), "sysctl \"kernel.domainname\" is not in a separate kernel namespace",
                     "kernel.domainname without uts refused");
  expect_plan_error (NS_SYSCTL (",{\"type\":\"uts\"}", "kernel.hostname"),
                     "sysctl \"kernel.hostname\" is not allowed as it conflicts with the OCI \"hostname\" field",
                     "kernel.hostname refused");
  expect_plan_error (NS_SYSCTL ("", "net.core.somaxconn"), "sysctl \"net.core.somaxconn\" not allowed in host network namespace",
                     "net.* without a network namespace refused");
  expect_plan_error (NS_SYSCTL (",{\"type\":\"network\"}", "kernel.shmmax"),
                     "sysctl \"kernel.shmmax\" is not allowed in the hosts ipc namespace", "ipc sysctl without ipc refused");
  expect_plan_error (NS_SYSCTL (",{\"type\":\"network\"}", "fs.mqueue.msg_max"),
                     "sysctl \"fs.mqueue.msg_max\" is not allowed in the hosts ipc namespace", "fs.mqueue.* without ipc refused");
  expect_plan_error (NS_SYSCTL (",{\"type\":\"ipc\"}", "kernel/shmmax/x"),
                     "sysctl \"kernel.shmmax.x\" is not in a separate kernel namespace", "slash form judged dotted");
  expect_plan_error (NS_SYSCTL (",{\"type\":\"ipc\"}", "fs.file-max"),
                     "sysctl \"fs.file-max\" is not in a separate kernel namespace", "fs.* other than mqueue refused");
  expect_plan_error ("\"mounts\":[{\"destination\":\"rel\",\"type\":\"tmpfs\"}],\"linux\":{\"namespaces\":[{\"type\":\"mount\"}]}",
                     "absolute", "relative mount destination refused");
  expect_plan_error ("\"mounts\":[{\"destination\":\"/x\",\"options\":[\"bind\"]}],\"linux\":{\"namespaces\":[{\"type\":\"mount\"}]}",
                     "without a source", "bind without source refused");
  expect_plan_error ("\"linux\":{\"rootfsPropagation\":\"weird\",\"namespaces\":[{\"type\":\"mount\"}]}",
                     "rootfsPropagation", "unknown rootfsPropagation refused");
}

/* linux.netDevices: what the config alone can refuse (runtime-spec 1.3
   config-linux.md "Network Devices"; names as the kernel's dev_valid_name). */
static void
test_netdevices (void)
{
#define NETNS "\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"network\"}]"
  hr_err err = NULL;
  oci_config *cfg = NULL;
  struct hr_plan *p;

  expect_plan_error ("\"linux\":{\"namespaces\":[{\"type\":\"mount\"}],\"netDevices\":{\"eth0\":{}}}",
                     "network namespace", "netDevices without a network namespace refused");
  expect_plan_error ("\"linux\":{" NETNS ",\"netDevices\":{\"eth0\":{\"name\":\"a/b\"}}}", "invalid network device name",
                     "netDevices name with a slash refused");
  expect_plan_error ("\"linux\":{" NETNS ",\"netDevices\":{\"eth0\":{\"name\":\"..\"}}}", "invalid network device name",
                     "netDevices name .. refused");
  expect_plan_error ("\"linux\":{" NETNS ",\"netDevices\":{\"eth0\":{\"name\":\"0123456789abcdef\"}}}",
                     "invalid network device name", "netDevices name of IFNAMSIZ bytes refused");
  expect_plan_error ("\"linux\":{" NETNS ",\"netDevices\":{\"a:b\":{}}}", "invalid network device name",
                     "netDevices host name with a colon refused");
  expect_plan_error ("\"linux\":{" NETNS ",\"netDevices\":{\"eth0\":{\"name\":\"x\"},\"eth1\":{\"name\":\"x\"}}}",
                     "both get the name `x`", "two netDevices with one name refused");
  expect_plan_error ("\"linux\":{" NETNS ",\"netDevices\":{\"eth0\":{},\"eth1\":{\"name\":\"eth0\"}}}",
                     "both get the name `eth0`", "a name equal to another device's kept name refused");

  p = plan_of ("{\"ociVersion\":\"1.3.0\"," BASE_PROCESS ",\"root\":{\"path\":\"r\"},\"linux\":{" NETNS
               ",\"netDevices\":{\"eth0\":{\"name\":\"c%d\"},\"eth1\":{\"name\":\"c%d\"},"
               "\"eth2\":{\"name\":\"012345678901234\"},\"eth3\":{}}}}",
               &cfg, &err);
  ok (p != NULL, "netDevices: templates may repeat, 15-byte names and kept names pass");
  if (err)
    printf ("#   got: %s\n", err->msg);
  hr_plan_free (p);
  oci_config_free (cfg);
  hr_error_free (&err);
#undef NETNS
}

static void
expect_plan_ok (const char *linux_json, const char *what)
{
  hr_err err = NULL;
  oci_config *cfg = NULL;
  char json[2048];
  snprintf (json, sizeof (json), "{\"ociVersion\":\"1.3.0\"," BASE_PROCESS ",\"root\":{\"path\":\"r\"},%s}", linux_json);
  struct hr_plan *p = plan_of (json, &cfg, &err);
  ok (p != NULL, "%s (%s)", what, err ? err->msg : "");
  hr_plan_free (p);
  oci_config_free (cfg);
  hr_error_free (&err);
}

static void
test_plan_namespaced (void)
{
  {
    hr_err err = NULL;
    oci_config *cfg = NULL;
    struct hr_plan *p = plan_of ("{\"ociVersion\":\"1.3.0\"," BASE_PROCESS ",\"root\":{\"path\":\"r\"},"
                                 "\"linux\":{\"namespaces\":[{\"type\":\"pid\"}]}}",
                                 &cfg, &err);
    ok (p != NULL, "no mount namespace, nothing to mount: accepted (%s)", err ? err->msg : "");
    if (p)
      {
        ok (index_of (p, STEP_OPEN_ROOTFS) >= 0 && index_of (p, STEP_CHROOT) > index_of (p, STEP_MKDIR_CWD),
            "the rootfs is opened and entered with chroot");
        ok (index_of (p, STEP_ROOT_PROPAGATION) < 0 && index_of (p, STEP_BIND_ROOTFS) < 0
              && index_of (p, STEP_DEFAULT_DEVICES) < 0 && index_of (p, STEP_PIVOT_ROOT) < 0,
            "no step that mounts");
        ok (!(p->clone_flags & CLONE_NEWNS), "no CLONE_NEWNS");
      }
    hr_plan_free (p);
    oci_config_free (cfg);
    hr_error_free (&err);
  }
  expect_plan_ok ("\"hostname\":\"x\",\"domainname\":\"d\",\"linux\":{\"namespaces\":[{\"type\":\"mount\"},"
                  "{\"type\":\"uts\",\"path\":\"/proc/1/ns/uts\"}]}",
                  "hostname and domainname in a joined uts namespace");
  expect_plan_ok (NS_SYSCTL (",{\"type\":\"ipc\"}", "kernel.shm_rmid_forced"), "ipc sysctl with a new ipc namespace");
  expect_plan_ok (NS_SYSCTL (",{\"type\":\"ipc\",\"path\":\"/proc/1/ns/ipc\"}", "fs.mqueue.queues_max"),
                  "fs.mqueue.* in a joined ipc namespace (runc counts it)");
  expect_plan_ok (NS_SYSCTL (",{\"type\":\"uts\"}", "kernel.domainname"), "kernel.domainname with uts");
  expect_plan_ok (NS_SYSCTL (",{\"type\":\"network\"}", "net/ipv4/conf/eth0.100/rp_filter"), "net.* (slash form) with netns");

  hr_err err = NULL;
  oci_config *cfg = NULL;
  struct hr_plan *p = plan_of ("{\"ociVersion\":\"1.3.0\"," BASE_PROCESS ",\"root\":{\"path\":\"r\"},"
                               NS_SYSCTL (",{\"type\":\"network\",\"path\":\"/run/netns/x\"}", "net.core.somaxconn") "}",
                               &cfg, &err);
  ok (p && p->net_sysctl_join && strcmp (p->net_sysctl_join, "/run/netns/x") == 0,
      "net.* in a joined netns: left to hr_plan_check_host");
  hr_plan_free (p);
  oci_config_free (cfg);
  hr_error_free (&err);
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
               "\"capabilities\":{\"bounding\":[\"CAP_NOPE\",\"CAP_KILL\"],\"effective\":[\"CAP_FOO_NEW\"]}},"
               "\"root\":{\"path\":\"r\"},\"linux\":{\"namespaces\":[{\"type\":\"mount\"}]}}",
               &cfg, &err);
  ok (p != NULL && p->caps.bounding == (1ULL << 5) && p->caps.effective == 0,
      "unknown capabilities ignored, the known ones kept");
  hr_plan_free (p);
  oci_config_free (cfg);
  static const char *const malformed[] = { "KILL", "CAP_", "CAP_KILL ", "CAP_K-ILL", "", "CAP_\\u00e9" };
  for (size_t i = 0; i < sizeof (malformed) / sizeof (malformed[0]); i++)
    {
      char json[512];
      hr_error_free (&err);
      snprintf (json, sizeof (json),
                "{\"ociVersion\":\"1.3.0\",\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\","
                "\"capabilities\":{\"bounding\":[\"%s\"]}},\"root\":{\"path\":\"r\"},"
                "\"linux\":{\"namespaces\":[{\"type\":\"mount\"}]}}",
                malformed[i]);
      p = plan_of (json, &cfg, &err);
      ok (p == NULL && err && strstr (err->msg, "process.capabilities.bounding: unknown capability"),
          "malformed capability `%s` refused", malformed[i]);
      hr_plan_free (p);
      oci_config_free (cfg);
    }
  hr_error_free (&err);
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

/* Where STEP_SECCOMP goes, for create and exec alike: with no_new_privs
   last before exec, except with a notify listener (its fd is sent before
   the report); without no_new_privs before the uid change (and the
   bounding set, dropped just before it). */
static void
test_seccomp_placement (void)
{
  static const struct
  {
    const char *nnp, *action;
    enum hr_step_kind before, before_exec;
    const char *what;
  } cases[] = {
    { "true", "SCMP_ACT_ERRNO", STEP_EXEC, STEP_EXEC, "nnp: just before exec" },
    { "true", "SCMP_ACT_NOTIFY", STEP_REPORT_CREATED, STEP_REPORT_READY, "nnp + notify: just before the report" },
    { "false", "SCMP_ACT_ERRNO", STEP_CAPS_BOUNDING, STEP_CAPS_BOUNDING, "no nnp: just before the uid change" },
    { "false", "SCMP_ACT_NOTIFY", STEP_CAPS_BOUNDING, STEP_CAPS_BOUNDING,
      "no nnp + notify: just before the uid change" },
  };
  for (size_t i = 0; i < sizeof (cases) / sizeof (cases[0]); i++)
    {
      hr_err err = NULL;
      oci_config *cfg = NULL;
      char *json = xasprintf ("{\"ociVersion\":\"1.3.0\",\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\","
                              "\"noNewPrivileges\":%s},\"root\":{\"path\":\"rootfs\"},\"linux\":{\"namespaces\":[{\"type\":\"mount\"}],\"seccomp\":"
                              "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/run/agent.sock\","
                              "\"syscalls\":[{\"names\":[\"mkdir\"],\"action\":\"%s\"}]}}}",
                              cases[i].nnp, cases[i].action);
      struct hr_plan *p = plan_of (json, &cfg, &err);
      int k = p ? index_of (p, STEP_SECCOMP) : -1;
      ok (p != NULL && k >= 0 && p->steps[k + 1].kind == cases[i].before, "seccomp %s (%s)", cases[i].what,
          err ? err->msg : "");
      struct hr_plan *e = NULL;
      if (cfg && hr_plan_build_exec (cfg, cfg->process, 0, &e, &err) == 0)
        k = index_of (e, STEP_SECCOMP);
      ok (e != NULL && k >= 0 && index_of (e, STEP_SECCOMP) == k && e->steps[k + 1].kind == cases[i].before_exec,
          "exec: seccomp %s (%s)", cases[i].what, err ? err->msg : "");
      hr_plan_free (e);
      hr_error_free (&err);
      hr_plan_free (p);
      oci_config_free (cfg);
      free (json);
    }
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

/* The step names of p from its first step of kind `from` on, one space
   between.  Caller frees. */
static char *
names_from (const struct hr_plan *p, enum hr_step_kind from)
{
  char *out = xstrdup ("");
  int i = index_of (p, from);
  for (size_t k = i < 0 ? p->len : (size_t) i; k < p->len; k++)
    {
      char *n = xasprintf ("%s%s%s", out, *out ? " " : "", hr_step_name (p->steps[k].kind));
      free (out);
      out = n;
    }
  return out;
}

/* One lowering of `process` for create and exec (issue: exec dropped the
   scheduler, ioPriority, execCPUAffinity and personality): every step of
   the process part, in one order, for both. */
static void
test_exec_plan (void)
{
  static const char every_field[] =
    "{\"ociVersion\":\"1.3.0\",\"root\":{\"path\":\"rootfs\"},"
    "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\",\"env\":[\"HOME=/root\"],\"noNewPrivileges\":true,"
    "\"user\":{\"uid\":1,\"gid\":1,\"umask\":63},\"oomScoreAdj\":100,\"apparmorProfile\":\"p\","
    "\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":5,\"hard\":10}],"
    "\"capabilities\":{\"bounding\":[\"CAP_KILL\"],\"permitted\":[\"CAP_KILL\"],\"ambient\":[\"CAP_KILL\"]},"
    "\"scheduler\":{\"policy\":\"SCHED_BATCH\"},\"ioPriority\":{\"class\":\"IOPRIO_CLASS_IDLE\"},"
    "\"execCPUAffinity\":{\"initial\":\"0\",\"final\":\"0\"}},"
    "\"linux\":{\"namespaces\":[{\"type\":\"mount\"}],\"personality\":{\"domain\":\"LINUX32\"},"
    "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\"}}}";
  hr_err err = NULL;
  oci_config *cfg = NULL;
  struct hr_plan *e = NULL, *p = plan_of (every_field, &cfg, &err);
  ok (p != NULL, "plan with every process field builds (%s)", err ? err->msg : "");
  if (p == NULL)
    return;
  ok (hr_plan_build_exec (cfg, cfg->process, 0, &e, &err) == 0, "exec plan builds (%s)", err ? err->msg : "");
  if (e == NULL)
    return;

  char *c = names_from (p, STEP_OOM_SCORE_ADJ), *x = names_from (e, STEP_OPEN_PROCFS);
  is_str (c,
          "oom-score-adj rlimit scheduler io-priority exec-labels chdir lookup-exec setsid capabilities-bounding "
          "set-user capabilities no-new-privileges umask report-created wait-start cpu-affinity personality seccomp exec",
          "create: the process part of the plan");
  is_str (x,
          "open-procfs cpu-affinity oom-score-adj rlimit join-container scheduler io-priority exec-labels chdir "
          "lookup-exec setsid capabilities-bounding set-user capabilities no-new-privileges umask report-ready "
          "cpu-affinity personality seccomp exec",
          "exec: the same steps, joining the container, reporting ready");
  free (c);
  free (x);
  ok (e->exec && !p->exec && e->process == cfg->process && e->seccomp == cfg->linux_->seccomp,
      "exec plan runs the given process under the container's filter");
  ok (!e->steps[1].cpu_final && e->steps[index_of (e, STEP_PERSONALITY) - 1].cpu_final,
      "exec: initial affinity first, final after the report");
  is_int (e->steps[index_of (e, STEP_UMASK)].umask, 077, "exec: process.user.umask");
  is_int (e->steps[index_of (e, STEP_OOM_SCORE_ADJ)].oom_score_adj, 100, "exec: oomScoreAdj");
  ok (e->caps.ambient == 0 && p->caps.ambient == (1ULL << 5),
      "exec keeps an ambient capability only where inheritable allows it");
  char *text = hr_plan_format (e);
  ok (strncmp (text, "exec into the running container\n", 32) == 0 && strstr (text, "umask 0077")
        && strstr (text, "cpu-affinity final"),
      "exec plan prints for --debug");
  free (text);
  hr_plan_free (e);
  hr_plan_free (p);
  oci_config_free (cfg);

  /* Without process.user.umask both get 0022; a terminal is the exec'd
     process's console (no /dev/console), the init's is made with its
     mounts. */
  p = plan_of ("{\"ociVersion\":\"1.3.0\",\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\",\"terminal\":true},"
               "\"root\":{\"path\":\"rootfs\"},\"linux\":{\"namespaces\":[{\"type\":\"mount\"}]}}",
               &cfg, &err);
  e = NULL;
  ok (p && hr_plan_build_exec (cfg, cfg->process, 0, &e, &err) == 0, "terminal plans build (%s)", err ? err->msg : "");
  if (e)
    {
      is_int (p->steps[index_of (p, STEP_UMASK)].umask, 022, "create: umask 0022 by default");
      is_int (e->steps[index_of (e, STEP_UMASK)].umask, 022, "exec: umask 0022 by default");
      ok (p->steps[index_of (p, STEP_CONSOLE)].init_console && index_of (p, STEP_CONSOLE) > index_of (p, STEP_PIVOT_ROOT)
            && index_of (p, STEP_CONSOLE) < index_of (p, STEP_CHDIR),
          "create: the init's console among the mounts");
      ok (!e->steps[index_of (e, STEP_CONSOLE)].init_console && index_of (e, STEP_SETSID) < 0
            && index_of (e, STEP_CONSOLE) > index_of (e, STEP_JOIN_CONTAINER),
          "exec: its own console, once in the container");
      ok (index_of (p, STEP_OPEN_PROCFS) == index_of (p, STEP_ROOT_PROPAGATION) + 1,
          "create: the trusted procfs opened as its own step");
    }
  hr_plan_free (e);
  hr_plan_free (p);
  oci_config_free (cfg);
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

/* config-linux.md "Rootfs Mount Propagation", mapped as runc's specconv
   does: the r* forms are recursive, the plain ones act on / alone. */
static void
test_root_propagation (void)
{
  static const struct
  {
    const char *name;
    uint64_t first, last;
  } cases[] = {
    { "rprivate", MS_PRIVATE | MS_REC, MS_PRIVATE | MS_REC },
    { "rslave", MS_SLAVE | MS_REC, MS_SLAVE | MS_REC },
    { "rshared", MS_SHARED | MS_REC, MS_SHARED | MS_REC },
    /* the host's tree is made rslave, or no bind source could be cloned */
    { "runbindable", MS_SLAVE | MS_REC, MS_UNBINDABLE | MS_REC },
    { "unbindable", MS_SLAVE | MS_REC, MS_UNBINDABLE },
    { "shared", MS_SHARED | MS_REC, MS_SHARED },
  };
  for (size_t i = 0; i < sizeof (cases) / sizeof (cases[0]); i++)
    {
      hr_err err = NULL;
      oci_config *cfg = NULL;
      char json[512];
      snprintf (json, sizeof (json),
                "{\"ociVersion\":\"1.3.0\"," BASE_PROCESS ",\"root\":{\"path\":\"r\"},\"linux\":{"
                "\"rootfsPropagation\":\"%s\",\"namespaces\":[{\"type\":\"mount\"}],"
                "\"maskedPaths\":[\"/proc/kcore\"]}}",
                cases[i].name);
      struct hr_plan *p = plan_of (json, &cfg, &err);
      ok (p != NULL, "rootfsPropagation `%s` accepted (%s)", cases[i].name, err ? err->msg : "");
      if (p)
        {
          int first = index_of (p, STEP_ROOT_PROPAGATION), last = index_of (p, STEP_ROOT_PROPAGATION_FINAL);
          ok (first >= 0 && p->steps[first].flags == cases[i].first, "`%s`: host tree made 0x%llx", cases[i].name,
              (unsigned long long) cases[i].first);
          ok (last > index_of (p, STEP_MASK_PATH) && p->steps[last].flags == cases[i].last,
                "`%s`: 0x%llx on the container's / after its last mount", cases[i].name,
                (unsigned long long) cases[i].last);
        }
      hr_plan_free (p);
      oci_config_free (cfg);
      hr_error_free (&err);
    }
}

static void
test_passwd_home (void)
{
  static const char pw[] = "root:x:0:0:root:/root:/bin/sh\n"
                           "bad:x:12x:1:::\n"
                           "short:x:7:7:gecos\n"
                           "dup:x:1000:1000::/home/first:/bin/sh\n"
                           "dup2:x:1000:1000::/home/second:/bin/sh\n"
                           "nohell:x:2000:2000::/srv/x\n"
                           "big:x:99999999999999999999:0::/big:\n"
                           "last:x:3000:3000::/last:/bin/sh";
  static const struct
  {
    unsigned uid;
    const char *want;
  } cases[] = {
    { 0, "/root" }, { 1000, "/home/first" }, { 2000, "/srv/x" }, { 3000, "/last" },
    { 7, NULL },    { 12, NULL },            { 4242, NULL },     { 1661992959, NULL },
  };
  for (size_t i = 0; i < sizeof (cases) / sizeof (cases[0]); i++)
    {
      char *h = hr_passwd_home (pw, sizeof (pw) - 1, cases[i].uid);
      if (cases[i].want)
        is_str (h, cases[i].want, "passwd home of uid %u", cases[i].uid);
      else
        ok (h == NULL, "no passwd home for uid %u", cases[i].uid);
      free (h);
    }
  /* no terminating NUL is read past */
  char *h = hr_passwd_home ("a:x:5:5::/five", 14, 5);
  is_str (h, "/five", "entry cut at the end of the data");
  free (h);
  ok (hr_passwd_home ("a:x:5", 5, 5) == NULL, "truncated line");
}

/* restore: create's mount steps only, ending without a process; the
   root's propagation is a slave whatever rootfsPropagation says, so that
   nothing of the throwaway mount namespace reaches the host. */
static void
test_restore_plan (void)
{
  static const char json[] = "{\"ociVersion\":\"1.3.0\",\"root\":{\"path\":\"rootfs\"}," BASE_PROCESS ","
                             "\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
                             "{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"/srv\",\"options\":[\"rbind\"]}],"
                             "\"linux\":{\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"pid\"},{\"type\":\"ipc\"}],"
                             "\"rootfsPropagation\":\"shared\",\"maskedPaths\":[\"/proc/kcore\"],"
                             "\"sysctl\":{\"kernel.shmmax\":\"1\"}}}";
  struct hr_plan_opts o = { .rootfs = "/tmp/rootfs", .bundle = "/tmp/bundle" };
  hr_err err = NULL;
  oci_config *cfg = parse (json, &err);
  struct hr_plan *p = NULL;

  ok (cfg != NULL && hr_plan_build_restore (cfg, &o, &p, &err) == 0, "restore plan builds (%s)",
      err ? err->msg : "");
  if (p == NULL)
    return;
  char *names = names_from (p, STEP_CHDIR_BUNDLE);
  is_str (names, "chdir-bundle root-propagation bind-rootfs mount mount mkdir-cwd", "restore plan: the mount steps");
  free (names);
  int rp = index_of (p, STEP_ROOT_PROPAGATION);
  ok (rp >= 0 && p->steps[rp].flags == (MS_REC | MS_SLAVE), "restore plan: root propagation is rslave");
  ok (p->restore && !p->parent_opens_binds && p->clone_flags == CLONE_NEWNS, "restore plan: a mount namespace only");
  hr_plan_free (p);
  oci_config_free (cfg);
}

/* descriptors.json: runc's shape, strings escaped, strict on the way in. */
static void
test_descriptors (void)
{
  char *in[] = { "pipe:[12]", "/dev/pts/0", "/tmp/a \"q\"\\b" };
  char *json = hr_descriptors_encode (in, 3);
  char **out = NULL;
  size_t n = 0;
  hr_err err = NULL;

  is_str (json, "[\"pipe:[12]\",\"/dev/pts/0\",\"/tmp/a \\\"q\\\"\\\\b\"]", "descriptors.json as runc writes it");
  ok (hr_descriptors_decode (json, strlen (json), &out, &n, &err) == 0 && n == 3 && strcmp (out[2], in[2]) == 0,
      "descriptors.json round trip");
  for (size_t i = 0; i < n; i++)
    free (out[i]);
  free (out);
  free (json);
  ok (hr_descriptors_decode ("{\"a\":1}", 7, &out, &n, &err) < 0 && err != NULL, "descriptors.json: an object is refused");
  hr_error_free (&err);
  ok (hr_descriptors_decode ("[1,2,3]", 7, &out, &n, &err) < 0 && err != NULL, "descriptors.json: numbers are refused");
  hr_error_free (&err);
  ok (hr_criu_cg_mode_parse ("ignore") == HR_CRIU_CG_IGNORE && hr_criu_cg_mode_parse (NULL) == HR_CRIU_CG_DEFAULT
          && hr_criu_cg_mode_parse ("bogus") < 0,
      "manage-cgroups-mode values");
}

/* NOTIFY_SOCKET (runc's notify_socket.go setupSpec): the notify directory
   as one more bind STEP_MOUNT after the config's, read-only, and the
   variable set by a step, the config untouched. */
static void
test_notify_plan (void)
{
  hr_err err = NULL;
  oci_config *cfg = parse ("{\"ociVersion\":\"1.3.0\"," BASE_PROCESS ",\"root\":{\"path\":\"rootfs\"},"
                           "\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"}],"
                           "\"linux\":{\"namespaces\":[{\"type\":\"mount\"}]}}",
                           &err);
  struct hr_plan_opts o = { .rootfs = "/tmp/rootfs", .bundle = "/tmp/bundle", .notify_dir = "/run/hr/c1/notify" };
  struct hr_plan *p = NULL;

  ok (cfg && hr_plan_build (cfg, &o, &p, &err) == 0, "plan with NOTIFY_SOCKET builds (%s)", err ? err->msg : "");
  if (p == NULL)
    return;
  int m = index_of (p, STEP_MOUNT);
  ok (m >= 0 && strcmp (p->steps[m].path, "/proc") == 0, "the config's mounts first");
  const struct hr_step *n = &p->steps[m + 1];
  ok (n->kind == STEP_MOUNT && strcmp (n->path, "/run/notify") == 0 && strcmp (n->mount->source, "/run/hr/c1/notify") == 0,
      "then the notify directory at /run/notify");
  ok (n->opts.bind && !n->opts.rbind
          && (n->opts.attr_set & (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NODEV))
                 == (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NODEV),
      "bound read-only, nosuid, noexec, nodev (runc's options)");
  int e = index_of (p, STEP_SETENV);
  ok (e >= 0 && strcmp (p->steps[e].path, "NOTIFY_SOCKET") == 0
          && strcmp (p->steps[e].value, "/run/notify/notify.sock") == 0 && e < index_of (p, STEP_HOME),
      "NOTIFY_SOCKET=/run/notify/notify.sock set by a step");
  ok (cfg->mounts_len == 1 && cfg->process->env_len == 0, "the config is not edited");
  hr_plan_free (p);
  p = NULL;
  o.notify_dir = NULL;
  ok (hr_plan_build (cfg, &o, &p, &err) == 0 && index_of (p, STEP_SETENV) < 0, "none without NOTIFY_SOCKET");
  hr_plan_free (p);
  oci_config_free (cfg);

  /* without a mount namespace there is nowhere to bind it */
  cfg = parse ("{\"ociVersion\":\"1.3.0\"," BASE_PROCESS ",\"root\":{\"path\":\"rootfs\"},\"linux\":{}}", &err);
  o.notify_dir = "/run/hr/c1/notify";
  p = NULL;
  ok (cfg && hr_plan_build (cfg, &o, &p, &err) < 0 && strstr (err->msg, "NOTIFY_SOCKET"),
      "refused without a mount namespace (%s)", err ? err->msg : "");
  hr_error_free (&err);
  oci_config_free (cfg);

  /* the container's datagrams */
  char out[HR_NOTIFY_MSG_MAX + 1];
  bool ready;
  const char *in = "STATUS=up\nMAINPID=1\n\nBARRIER=1\nFDSTORE=1\nREADY=1";
  size_t len = hr_notify_filter (in, strlen (in), out, &ready);
  ok (len == strlen ("STATUS=up\nREADY=1\n") && memcmp (out, "STATUS=up\nREADY=1\n", len) == 0 && ready,
      "MAINPID, BARRIER, FDSTORE and empty lines dropped, READY=1 seen");
  len = hr_notify_filter ("READY=10\nX\0Y", 11, out, &ready);
  ok (!ready && len == 9 && memcmp (out, "READY=10\n", 9) == 0, "READY=10 is not READY=1; a line with a NUL dropped");
  len = hr_notify_filter ("", 0, out, &ready);
  ok (len == 0 && !ready, "an empty datagram is nothing");
}

int
main (void)
{
  test_plan_order ();
  test_notify_plan ();
  test_plan_seccomp_hooks ();
  test_plan_dev_readonly ();
  test_plan_labels ();
  test_plan_bind_sources ();
  test_cgroup_mount_ns ();
  test_plan_errors ();
  test_netdevices ();
  test_root_propagation ();
  test_plan_namespaced ();
  test_passwd_home ();
  test_caps_rlimits ();
  test_mount_opts ();
  test_seccomp_placement ();
  test_exec_plan ();
  test_signals_ids ();
  test_restore_plan ();
  test_descriptors ();
  return tap_done ();
}
