/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The template config.json written by `spec`: the same document as runc's
 * specconv.Example() and, for --rootless, specconv.ToRootless(), so bundles
 * made by either tool behave alike.
 */
#include <config.h>
#include "oci.h"
#include "util.h"

#include <string.h>
#include <unistd.h>

/* v = NULL-terminated copy of the literal list, len set. */
#define STRV(obj, field, ...)                                           \
  ((obj)->field = oci_strv_dup ((const char *const[]) { __VA_ARGS__, NULL }, &(obj)->field##_len))

static oci_mount *
mount_new (const char *dest, const char *type, const char *src, const char *const *opts)
{
  oci_mount *m = xmalloc0 (sizeof (*m));
  m->destination = xstrdup (dest);
  m->type = xstrdup (type);
  m->source = xstrdup (src);
  if (opts)
    m->options = oci_strv_dup (opts, &m->options_len);
  return m;
}

static oci_linux_namespace *
ns_new (int type)
{
  oci_linux_namespace *ns = xmalloc0 (sizeof (*ns));
  ns->type = type;
  ns->type_present = true;
  return ns;
}

static oci_id_mapping **
single_mapping (uint32_t host_id, size_t *len)
{
  oci_id_mapping **v = xmalloc0 (2 * sizeof (*v));
  v[0] = xmalloc0 (sizeof (**v));
  v[0]->container_id = 0;
  v[0]->container_id_present = true;
  v[0]->host_id = host_id;
  v[0]->host_id_present = true;
  v[0]->size = 1;
  v[0]->size_present = true;
  *len = 1;
  return v;
}

static void
set_process (oci_config *c)
{
  oci_process *p = c->process = xmalloc0 (sizeof (*p));

  p->terminal = true;
  p->terminal_present = true;
  p->user = xmalloc0 (sizeof (*p->user));
  p->user->uid_present = true;
  p->user->gid_present = true;
  STRV (p, args, "sh");
  STRV (p, env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "TERM=xterm");
  p->cwd = xstrdup ("/");
  p->capabilities = xmalloc0 (sizeof (*p->capabilities));
  STRV (p->capabilities, bounding, "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE");
  STRV (p->capabilities, effective, "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE");
  STRV (p->capabilities, permitted, "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE");
  p->rlimits = xmalloc0 (2 * sizeof (*p->rlimits));
  p->rlimits[0] = xmalloc0 (sizeof (oci_rlimit));
  p->rlimits[0]->type = OCI_RLIMIT_TYPE_NOFILE;
  p->rlimits[0]->type_present = true;
  p->rlimits[0]->hard = 1024;
  p->rlimits[0]->hard_present = true;
  p->rlimits[0]->soft = 1024;
  p->rlimits[0]->soft_present = true;
  p->rlimits_len = 1;
  p->no_new_privileges = true;
  p->no_new_privileges_present = true;
}

static void
set_mounts (oci_config *c, bool rootless)
{
  static const char *const dev[] = { "nosuid", "strictatime", "mode=755", "size=65536k", NULL };
  /* Rootless drops gid=5: the group need not be mapped (runc ToRootless
     removes every uid=/gid= option). */
  static const char *const pts[] = { "nosuid", "noexec", "newinstance", "ptmxmode=0666",
                                     "mode=0620", "gid=5", NULL };
  static const char *const pts_rootless[] = { "nosuid", "noexec", "newinstance",
                                              "ptmxmode=0666", "mode=0620", NULL };
  static const char *const shm[] = { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k",
                                     NULL };
  static const char *const nne[] = { "nosuid", "noexec", "nodev", NULL };
  static const char *const sys[] = { "nosuid", "noexec", "nodev", "ro", NULL };
  /* Without CAP_SYS_ADMIN in the initial user namespace sysfs cannot be
     mounted, so rootless bind-mounts the host's /sys read-only. */
  static const char *const sys_rootless[] = { "rbind", "nosuid", "noexec", "nodev", "ro", NULL };
  static const char *const cg[] = { "nosuid", "noexec", "nodev", "relatime", "ro", NULL };
  size_t n = 0;

  c->mounts = xmalloc0 (8 * sizeof (*c->mounts));
  c->mounts[n++] = mount_new ("/proc", "proc", "proc", NULL);
  c->mounts[n++] = mount_new ("/dev", "tmpfs", "tmpfs", dev);
  c->mounts[n++] = mount_new ("/dev/pts", "devpts", "devpts", rootless ? pts_rootless : pts);
  c->mounts[n++] = mount_new ("/dev/shm", "tmpfs", "shm", shm);
  c->mounts[n++] = mount_new ("/dev/mqueue", "mqueue", "mqueue", nne);
  if (rootless)
    c->mounts[n++] = mount_new ("/sys", "none", "/sys", sys_rootless);
  else
    c->mounts[n++] = mount_new ("/sys", "sysfs", "sysfs", sys);
  c->mounts[n++] = mount_new ("/sys/fs/cgroup", "cgroup", "cgroup", cg);
  c->mounts_len = n;
}

static void
set_linux (oci_config *c, bool rootless, bool cgroupns)
{
  oci_linux *l = c->linux_ = xmalloc0 (sizeof (*l));
  static const int ns_root[] = { OCI_NAMESPACE_TYPE_PID, OCI_NAMESPACE_TYPE_NETWORK, OCI_NAMESPACE_TYPE_IPC,
                                 OCI_NAMESPACE_TYPE_UTS, OCI_NAMESPACE_TYPE_MOUNT, OCI_NAMESPACE_TYPE_CGROUP, -1 };
  /* ToRootless: no network namespace (no privilege to configure one),
     plus a user namespace. */
  static const int ns_rootless[] = { OCI_NAMESPACE_TYPE_PID, OCI_NAMESPACE_TYPE_IPC, OCI_NAMESPACE_TYPE_UTS,
                                     OCI_NAMESPACE_TYPE_MOUNT, OCI_NAMESPACE_TYPE_CGROUP, OCI_NAMESPACE_TYPE_USER,
                                     -1 };
  const int *ns = rootless ? ns_rootless : ns_root;
  size_t n = 0;

  STRV (l, masked_paths, "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
        "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
        "/sys/firmware", "/proc/scsi", "/sys/devices/virtual/powercap");
  STRV (l, readonly_paths, "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
        "/proc/sysrq-trigger");

  while (ns[n] >= 0)
    n++;
  l->namespaces = xmalloc0 ((n + 1) * sizeof (*l->namespaces));
  for (size_t i = 0; ns[i] >= 0; i++)
    if (cgroupns || ns[i] != OCI_NAMESPACE_TYPE_CGROUP)
      l->namespaces[l->namespaces_len++] = ns_new (ns[i]);

  if (rootless)
    {
      l->uid_mappings = single_mapping ((uint32_t) geteuid (), &l->uid_mappings_len);
      l->gid_mappings = single_mapping ((uint32_t) getegid (), &l->gid_mappings_len);
      /* No cgroup resources: an unprivileged user may not own a cgroup. */
      return;
    }
  /* Deny all devices; the runtime then allows the default set. */
  l->resources = xmalloc0 (sizeof (*l->resources));
  l->resources->devices = xmalloc0 (2 * sizeof (*l->resources->devices));
  l->resources->devices[0] = xmalloc0 (sizeof (oci_linux_device_cgroup));
  l->resources->devices[0]->allow = false;
  l->resources->devices[0]->allow_present = true;
  l->resources->devices[0]->access = xstrdup ("rwm");
  l->resources->devices_len = 1;
}

oci_config *
oci_config_default (bool rootless, bool cgroupns)
{
  oci_config *c = xmalloc0 (sizeof (*c));

  c->oci_version = xstrdup (OCI_VERSION);
  set_process (c);
  c->root = xmalloc0 (sizeof (*c->root));
  c->root->path = xstrdup ("rootfs");
  c->root->readonly = true;
  c->root->readonly_present = true;
  c->hostname = xstrdup ("runc");
  set_mounts (c, rootless);
  set_linux (c, rootless, cgroupns);
  return c;
}
