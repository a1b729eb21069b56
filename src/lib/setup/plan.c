/* SPDX-License-Identifier: Apache-2.0 */
#include <config.h>
#include "setup/plan.h"
#include "kernel/caps.h"
#include "cleanup.h"
#include "kernel/namespaces.h"
#include "kernel/netdev.h"
#include "kernel/process.h"
#include "kernel/seccomp.h"
#include "util.h"
#include "setup/validate.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sched.h>
#ifndef CLONE_NEWTIME
# define CLONE_NEWTIME 0x00000080
#endif
#include <sys/mount.h>
#include <sys/stat.h>


static struct hr_step *
add (struct hr_plan *p, enum hr_step_kind kind)
{
  struct hr_step *s;
  p->steps = xrealloc (p->steps, (p->len + 1) * sizeof (*p->steps));
  s = &p->steps[p->len++];
  memset (s, 0, sizeof (*s));
  s->kind = kind;
  return s;
}

/* A step at index `at`, the later ones moved down. */
static void
insert_step (struct hr_plan *p, size_t at, enum hr_step_kind kind)
{
  add (p, kind);
  struct hr_step s = p->steps[p->len - 1];
  memmove (&p->steps[at + 1], &p->steps[at], (p->len - 1 - at) * sizeof (*p->steps));
  p->steps[at] = s;
}

void
hr_plan_free (struct hr_plan *plan)
{
  if (plan == NULL)
    return;
  for (size_t i = 0; i < plan->len; i++)
    hr_mount_opts_clear (&plan->steps[i].opts);
  free (plan->steps);
  free (plan);
}

/* runtime-spec config-linux.md "Namespaces": each type at most once;
   a path means join, no path means create. */
static int
plan_namespaces (struct hr_plan *p, const oci_linux *lx, hr_err *err)
{
  size_t n_all;
  const struct hr_ns_info *all = hr_ns_all (&n_all);
  int seen = 0;

  for (size_t i = 0; lx && i < lx->namespaces_len; i++)
    {
      const oci_linux_namespace *ns = lx->namespaces[i];
      const struct hr_ns_info *info = hr_ns_by_type (ns->type);
      if (info == NULL)
        return hr_error_plain (err, EINVAL, "linux.namespaces[%zu]: unknown namespace type", i);
      if (seen & info->clone_flag)
        return hr_error_plain (err, EINVAL, "linux.namespaces: duplicate namespace type `%s`", info->oci_name);
      seen |= info->clone_flag;
      p->ns_listed |= info->clone_flag;
      if (ns->path == NULL || ns->path[0] == '\0')
        p->clone_flags |= info->clone_flag;
    }

  if (p->clone_flags & CLONE_NEWUSER)
    {
      /* runtime-spec config-linux.md "User namespace mappings". */
      if (lx->uid_mappings_len == 0 || lx->gid_mappings_len == 0)
        return hr_error_plain (err, EINVAL, "linux.namespaces: a new user namespace needs linux.uidMappings and "
                                            "linux.gidMappings");
      p->new_userns = true;
    }
  else if (lx && (lx->uid_mappings_len || lx->gid_mappings_len) && !(seen & CLONE_NEWUSER))
    return hr_error_plain (err, EINVAL, "linux.uidMappings: set without a user namespace");
  if (p->clone_flags & CLONE_NEWTIME)
    {
      /* Offsets can only be written before a process enters the
         namespace, so it is unshared by the parent rather than cloned
         (time_namespaces(7)). */
      p->clone_flags &= ~CLONE_NEWTIME;
      p->new_timens = true;
    }
  else if (lx && lx->time_offsets.len)
    return hr_error_plain (err, EINVAL, "linux.timeOffsets: set without a new time namespace");

  /* Joins in the order of hr_ns_all (user first, mount last).  The pid
     namespace is joined by the parent before clone: setns(CLONE_NEWPID)
     only affects children. */
  for (size_t k = 0; k < n_all; k++)
    for (size_t i = 0; lx && i < lx->namespaces_len; i++)
      {
        const oci_linux_namespace *ns = lx->namespaces[i];
        if (ns->path == NULL || ns->path[0] == '\0' || ns->type != all[k].oci_type)
          continue;
        if (all[k].clone_flag == CLONE_NEWPID)
          {
            p->join_pid = ns->path;
            continue;
          }
        struct hr_step *s = add (p, STEP_JOIN_NS);
        s->ns = &all[k];
        s->path = ns->path;
        if (all[k].clone_flag == CLONE_NEWUSER)
          add (p, STEP_BECOME_ROOT);
      }
  /* In a new user namespace the init starts as an unmapped uid; once the
     parent has written the maps it becomes the namespace's root. */
  if (p->new_userns)
    add (p, STEP_BECOME_ROOT);
  if (p->clone_flags & CLONE_NEWNET)
    add (p, STEP_LOOPBACK_UP);
  return 0;
}

/* linux.netDevices (runtime-spec 1.3 config-linux.md "Network Devices"):
   what can be told from the config alone.  The parent moves the devices
   (netdev.c) into the container's own network namespace, new or joined;
   into the runtime's, nothing would move (runc 1.3 refuses it too).
   The host-side checks (the device exists, a joined namespace is not the
   runtime's) are hr_netdev_precheck's. */
static int
plan_netdevices (const oci_linux *lx, hr_err *err)
{
  bool netns = false;

  if (lx == NULL || lx->net_devices.len == 0)
    return 0;
  for (size_t i = 0; i < lx->namespaces_len; i++)
    if (lx->namespaces[i]->type == OCI_NAMESPACE_TYPE_NETWORK)
      netns = true;
  if (!netns)
    return hr_error_plain (err, EINVAL, "linux.netDevices: moving network devices needs a network namespace of the "
                                        "container's own (linux.namespaces has no `network`)");
  for (size_t i = 0; i < lx->net_devices.len; i++)
    {
      const char *host = lx->net_devices.keys[i];
      const oci_linux_net_device *d = lx->net_devices.values[i];
      const char *name = d && d->name && *d->name ? d->name : host;
      if (!hr_netdev_name_valid (host))
        return hr_error_plain (err, EINVAL, "linux.netDevices: `%s`: invalid network device name", host);
      if (!hr_netdev_name_valid (name))
        return hr_error_plain (err, EINVAL, "linux.netDevices.%s.name: `%s`: invalid network device name", host,
                               name);
      /* Two devices cannot take one name (a `%d` template is expanded by
         the kernel to a free one). */
      for (size_t j = 0; j < i && !strchr (name, '%'); j++)
        {
          const oci_linux_net_device *o = lx->net_devices.values[j];
          const char *other = o && o->name && *o->name ? o->name : lx->net_devices.keys[j];
          if (strcmp (name, other) == 0)
            return hr_error_plain (err, EINVAL, "linux.netDevices: `%s` and `%s` both get the name `%s`",
                                   lx->net_devices.keys[j], host, name);
        }
    }
  return 0;
}

/* runc's validator sysctl(): /proc/sys is namespaced only in part, and a
   sysctl outside the container's own namespaces is the host's (or another
   container's) setting.  The names are those runc accepts. */
static const char *const ipc_sysctls[] = {
  "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
  "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
};

static int
check_sysctl (struct hr_plan *p, const oci_linux *lx, const char *key, hr_err *err)
{
  /* sysctl.d(5): "net/ipv4/conf/eth0.100/rp_filter" is the same key as
     "net.ipv4.conf.eth0/100.rp_filter"; judge the dotted form, as runc. */
  _cleanup_free_ char *k = xstrdup (key);
  char *sep = strpbrk (k, "./");
  if (sep && *sep == '/')
    for (char *c = k; *c; c++)
      *c = *c == '/' ? '.' : *c == '.' ? '/' : *c;

  bool ipc = strncmp (k, "fs.mqueue.", 10) == 0;
  for (size_t i = 0; !ipc && i < sizeof (ipc_sysctls) / sizeof (ipc_sysctls[0]); i++)
    ipc = strcmp (k, ipc_sysctls[i]) == 0;
  if (ipc)
    {
      /* (runc counts a joined ipc namespace as the container's) */
      if (!(p->ns_listed & CLONE_NEWIPC))
        return hr_error_plain (err, EINVAL, "sysctl \"%s\" is not allowed in the hosts ipc namespace", k);
      return 0;
    }
  if (strncmp (k, "net.", 4) == 0)
    {
      if (!(p->ns_listed & CLONE_NEWNET))
        return hr_error_plain (err, EINVAL, "sysctl \"%s\" not allowed in host network namespace", k);
      if (!(p->clone_flags & CLONE_NEWNET) && p->net_sysctl == NULL)
        {
          /* joined: hr_plan_check_host compares it with ours */
          for (size_t i = 0; i < lx->namespaces_len; i++)
            if (lx->namespaces[i]->type == OCI_NAMESPACE_TYPE_NETWORK)
              p->net_sysctl_join = lx->namespaces[i]->path;
          p->net_sysctl = key;
        }
      return 0;
    }
  if (p->ns_listed & CLONE_NEWUTS)
    {
      if (strcmp (k, "kernel.domainname") == 0)
        return 0;
      if (strcmp (k, "kernel.hostname") == 0)
        return hr_error_plain (err, EINVAL, "sysctl \"%s\" is not allowed as it conflicts with the OCI \"hostname\" field",
                               k);
    }
  return hr_error_plain (err, EINVAL, "sysctl \"%s\" is not in a separate kernel namespace", k);
}

int
hr_plan_check_host (const struct hr_plan *p, hr_err *err)
{
  struct stat ours, theirs;

  if (p->net_sysctl_join == NULL)
    return 0;
  /* runc's isHostNetNS: "host" is the runtime's current namespace. */
  if (stat ("/proc/self/ns/net", &ours) < 0)
    return hr_error_set (err, errno, "invalid netns path: stat /proc/self/ns/net");
  if (stat (p->net_sysctl_join, &theirs) < 0)
    return hr_error_set (err, errno, "invalid netns path: stat %s", p->net_sysctl_join);
  if (ours.st_dev == theirs.st_dev && ours.st_ino == theirs.st_ino)
    return hr_error_plain (err, EINVAL, "sysctl \"%s\" not allowed in host network namespace", p->net_sysctl);
  return 0;
}

/* linux.rootfsPropagation (parsed, so one of the eight values) -> the
   propagation of the whole tree; absent: runc's default, host mounts
   reach us and ours never reach the host. */
static uint64_t
propagation_flags (const oci_linux *lx)
{
  if (lx == NULL || !lx->rootfs_propagation_present)
    return MS_SLAVE | MS_REC;
  switch (lx->rootfs_propagation)
    {
    case OCI_ROOTFS_PROPAGATION_SHARED:
    case OCI_ROOTFS_PROPAGATION_RSHARED:
      return MS_SHARED | MS_REC;
    case OCI_ROOTFS_PROPAGATION_PRIVATE:
    case OCI_ROOTFS_PROPAGATION_RPRIVATE:
      return MS_PRIVATE | MS_REC;
    case OCI_ROOTFS_PROPAGATION_UNBINDABLE:
    case OCI_ROOTFS_PROPAGATION_RUNBINDABLE:
      return MS_UNBINDABLE | MS_REC;
    default:
      return MS_SLAVE | MS_REC;
    }
}

/* The r* forms apply to the new / and every mount under it. */
static bool
propagation_recursive (int prop)
{
  return prop == OCI_ROOTFS_PROPAGATION_RSHARED || prop == OCI_ROOTFS_PROPAGATION_RSLAVE
         || prop == OCI_ROOTFS_PROPAGATION_RPRIVATE || prop == OCI_ROOTFS_PROPAGATION_RUNBINDABLE;
}

/* A cgroup namespace, new or joined: the cgroup mount can then be a new
   instance, which the kernel roots at the namespace's cgroup. */
static bool
has_cgroupns (const oci_config *cfg)
{
  for (size_t i = 0; cfg->linux_ && i < cfg->linux_->namespaces_len; i++)
    if (cfg->linux_->namespaces[i]->type == OCI_NAMESPACE_TYPE_CGROUP)
      return true;
  return false;
}

/* runtime-spec config.md: createRuntime hooks run in the runtime
   namespace once the container's namespaces exist, createContainer hooks
   in the container's, both before pivot_root. */
static void
plan_hooks (struct hr_plan *p, const oci_config *cfg)
{
  if (cfg->hooks && (cfg->hooks->prestart_len || cfg->hooks->create_runtime_len))
    add (p, STEP_RUNTIME_HOOKS);
  if (cfg->hooks && cfg->hooks->create_container_len)
    add (p, STEP_CONTAINER_HOOKS)->path = "createContainer";
}

/* runc's notify_socket.go setupSpec: the directory of the notify socket
   bound read-only at /run/notify, after the config's mounts, and
   NOTIFY_SOCKET in the process's environment (plan_process).  The
   options are runc's. */
static int
plan_notify_mount (struct hr_plan *p, const char *dir, hr_err *err)
{
  static char *const options[] = { (char *) "bind", (char *) "nosuid", (char *) "noexec", (char *) "nodev",
                                   (char *) "ro" };
  oci_mount *m = &p->notify_mount;

  m->destination = (char *) HR_NOTIFY_DEST;
  m->source = (char *) dir;
  m->type = (char *) "bind";
  m->options = (char **) options;
  m->options_len = sizeof (options) / sizeof (options[0]);
  struct hr_step *s = add (p, STEP_MOUNT);
  s->mount = m;
  s->path = m->destination;
  if (hr_mount_opts_parse (m->options, m->options_len, &s->opts, err) < 0)
    return hr_error_wrap (err, "NOTIFY_SOCKET mount");
  s->opts.bind = true;
  return 0;
}

static int
plan_mounts (struct hr_plan *p, const oci_config *cfg, const char *notify_dir, bool *dev_readonly, hr_err *err)
{
  bool dev_is_bind = false;

  for (size_t i = 0; i < cfg->mounts_len; i++)
    {
      const oci_mount *m = cfg->mounts[i];
      struct hr_step *s;

      if (m->destination == NULL || m->destination[0] != '/')
        return hr_error_plain (err, EINVAL, "mounts[%zu].destination: must be an absolute path, got `%s`", i,
                             m->destination ? m->destination : "");
      s = add (p, (m->type && strcmp (m->type, "cgroup") == 0) ? STEP_MOUNT_CGROUP : STEP_MOUNT);
      s->mount = m;
      if (s->kind == STEP_MOUNT_CGROUP && has_cgroupns (cfg))
        s->flags = HR_MOUNT_CGROUP_NS;
      s->path = m->destination;
      /* linux.mountLabel labels the filesystems the container gets (as
         runc's FormatMountLabel), not proc and sysfs (no SELinux context
         there), nor bind mounts (they keep the source's labels). */
      if (cfg->linux_ && cfg->linux_->mount_label && *cfg->linux_->mount_label && m->type
          && strcmp (m->type, "bind") != 0 && strcmp (m->type, "proc") != 0 && strcmp (m->type, "sysfs") != 0
          && strcmp (m->type, "cgroup") != 0 && strcmp (m->type, "cgroup2") != 0)
        s->value = cfg->linux_->mount_label;
      if (hr_mount_opts_parse (m->options, m->options_len, &s->opts, err) < 0)
        return hr_error_wrap (err, "mounts[%zu] (%s)", i, m->destination);
      if (m->type && strcmp (m->type, "bind") == 0)
        s->opts.bind = true;
      if (!s->opts.bind && (m->type == NULL || *m->type == '\0'))
        return hr_error_plain (err, EINVAL, "mounts[%zu] (%s): no type and not a bind mount", i, m->destination);
      if (s->opts.bind && (m->source == NULL || *m->source == '\0'))
        return hr_error_plain (err, EINVAL, "mounts[%zu] (%s): bind mount without a source", i, m->destination);
      if (strcmp (m->destination, "/dev") == 0 && s->opts.bind)
        dev_is_bind = true;
      /* A read-only /dev is mounted writable and made read-only only
         after the devices, /dev/pts, /dev/shm, the symlinks and the
         console are in it (runc: mountPropagate drops MS_RDONLY for /dev,
         finalizeRootfs remounts it). */
      if (strcmp (m->destination, "/dev") == 0)
        {
          *dev_readonly = (s->opts.attr_set & MOUNT_ATTR_RDONLY) != 0;
          s->opts.attr_set &= ~(uint64_t) MOUNT_ATTR_RDONLY;
        }
    }
  if (notify_dir && plan_notify_mount (p, notify_dir, err) < 0)
    return -1;

  /* The spec's default devices, unless /dev comes from the host. */
  if (!dev_is_bind)
    add (p, STEP_DEFAULT_DEVICES);
  for (size_t i = 0; cfg->linux_ && i < cfg->linux_->devices_len; i++)
    {
      struct hr_step *s = add (p, STEP_DEVICE);
      s->device = cfg->linux_->devices[i];
      s->path = s->device->path;
      if (s->path == NULL || s->path[0] != '/')
        return hr_error_plain (err, EINVAL, "linux.devices[%zu].path: must be an absolute path", i);
    }
  if (!dev_is_bind)
    add (p, STEP_DEV_SYMLINKS);

  plan_hooks (p, cfg);
  return 0;
}

/* A HOME that hr_env_with_home (process.c) would keep. */
static bool
env_has_home (char *const *env, size_t len)
{
  for (size_t i = 0; i < len; i++)
    if (strncmp (env[i], "HOME=", 5) == 0 && env[i][5] != '\0')
      return true;
  return false;
}

/* Does process.env set `name` (with any value)? */
static bool
env_has (char *const *env, size_t len, const char *name)
{
  size_t n = strlen (name);
  for (size_t i = 0; i < len; i++)
    if (strncmp (env[i], name, n) == 0 && env[i][n] == '=')
      return true;
  return false;
}

/* oom_score_adj and rlimits: create applies them inside the container,
   exec before it joins it (with host privileges, see exec.c). */
static int
plan_limits (struct hr_plan *p, const oci_process *proc, hr_err *err)
{
  struct hr_step *s;

  if (proc->oom_score_adj_present)
    add (p, STEP_OOM_SCORE_ADJ)->oom_score_adj = (int) proc->oom_score_adj;
  for (size_t i = 0; i < proc->rlimits_len; i++)
    {
      const oci_rlimit *rl = proc->rlimits[i];
      int res = hr_rlimit_by_type (rl->type);
      if (res < 0)
        return hr_error_plain (err, EINVAL, "process.rlimits[%zu].type: unknown rlimit", i);
      s = add (p, STEP_RLIMIT);
      s->resource = res;
      s->path = hr_rlimit_name (rl->type);
      s->soft = rl->soft;
      s->hard = rl->hard;
    }
  return 0;
}

/* The rest of `process`, up to the exec, for the init and for an exec'd
   process alike: one lowering, so that exec applies every field create
   applies.  An exec'd process differs only in its report (ready, not
   created), its session and terminal, and it runs no hooks. */
static int
plan_process (struct hr_plan *p, const oci_process *proc, hr_err *err)
{
  bool nnp = proc->no_new_privileges_present && proc->no_new_privileges;

  if (p->attrs.has_sched)
    add (p, STEP_SCHEDULER);
  if (p->attrs.has_ioprio)
    add (p, STEP_IOPRIO);
  if (p->attrs.has_mempolicy)
    add (p, STEP_MEMPOLICY);
  if ((proc->apparmor_profile && *proc->apparmor_profile) || (proc->selinux_label && *proc->selinux_label))
    add (p, STEP_EXEC_LABELS);
  if (proc->args_len == 0)
    return hr_error_plain (err, EINVAL, "process.args: must not be empty");
  if (proc->cwd == NULL || proc->cwd[0] != '/')
    return hr_error_plain (err, EINVAL, "process.cwd: must be an absolute path, got `%s`", proc->cwd ? proc->cwd : "");
  add (p, STEP_CHDIR)->path = proc->cwd;
  /* After the chdir, as runc's exec.LookPath: a relative args[0] is
     relative to the cwd. */
  add (p, STEP_LOOKUP_EXEC)->path = proc->args[0];
  /* The init's console is made with its mounts (plan_rootfs), which
     starts its session; without a terminal it starts one here, as runc's
     nsexec does for every init: the container does not stay in the
     caller's session (its hangups, its job control), and CRIU refuses to
     dump a task whose session leader is outside its pid namespace. */
  bool terminal = proc->terminal_present && proc->terminal;
  if (p->exec)
    add (p, terminal ? STEP_CONSOLE : STEP_SETSID);
  else if (!terminal)
    add (p, STEP_SETSID);
  /* runc's setupUser: HOME from the container's /etc/passwd when env has
     none; read before the filter (item: nothing after it may need a
     syscall the profile can deny) and before the uid change (the file may
     be root's alone). */
  if (p->notify_mount.source)
    {
      struct hr_step *s = add (p, STEP_SETENV);
      s->path = "NOTIFY_SOCKET";
      s->value = HR_NOTIFY_SOCKET_IN_CONTAINER;
    }
  if (!env_has_home (proc->env, proc->env_len))
    add (p, STEP_HOME);

  /* Where the filter goes, decided here only (runtime-spec
     config-linux.md "Seccomp", runc's order): without no_new_privs it is
     loaded while the process still has CAP_SYS_ADMIN, before the uid
     change; with it as late as possible, last before exec, except with a
     notify listener: the runtime sends that fd to the agent while the
     parent still listens, before the report (runc loads it there in every
     case). */
  enum { SECCOMP_NONE, SECCOMP_BEFORE_USER, SECCOMP_BEFORE_REPORT, SECCOMP_LAST } seccomp_at
    = p->seccomp == NULL                 ? SECCOMP_NONE
      : !nnp                             ? SECCOMP_BEFORE_USER
      : hr_seccomp_has_notify (p->seccomp) ? SECCOMP_BEFORE_REPORT
                                         : SECCOMP_LAST;
  /* The sandbox's Landlock rules: after every step that opens files in
     the rootfs (cwd, lookup, console, HOME); still as root, so the scan of
     the executable paths for blocked commands sees every directory
     whatever the process's user may read; before any seccomp filter, which
     a default-deny profile may not let the landlock syscalls through.
     It sets no_new_privs itself (landlock_restrict_self(2)); what comes
     after (the uid and capability changes, the report, the wait for
     start, the filter) opens nothing in the rootfs. */
  if (p->policy)
    add (p, STEP_LANDLOCK);
  if (seccomp_at == SECCOMP_BEFORE_USER)
    add (p, STEP_SECCOMP);

  if (proc->capabilities)
    {
      const oci_capabilities *c = proc->capabilities;
      if (hr_caps_parse (c->bounding, c->bounding_len, "bounding", &p->caps.bounding, err) < 0
          || hr_caps_parse (c->effective, c->effective_len, "effective", &p->caps.effective, err) < 0
          || hr_caps_parse (c->inheritable, c->inheritable_len, "inheritable", &p->caps.inheritable, err) < 0
          || hr_caps_parse (c->permitted, c->permitted_len, "permitted", &p->caps.permitted, err) < 0
          || hr_caps_parse (c->ambient, c->ambient_len, "ambient", &p->caps.ambient, err) < 0)
        return -1;
    }
  /* The kernel raises an ambient capability only when it is permitted and
     inheritable (capabilities(7)); exec's --cap never adds inheritable, so
     its ambient part is kept only where the config already allows it. */
  if (p->exec)
    p->caps.ambient &= p->caps.permitted & p->caps.inheritable;
  /* Without a capabilities object the process keeps none (runc does the
     same); the steps still run to drop everything.  The bounding set
     needs CAP_SETPCAP, so it is dropped before the uid change. */
  p->has_caps = true;
  add (p, STEP_CAPS_BOUNDING);
  add (p, STEP_SET_USER);
  add (p, STEP_CAPS);
  if (nnp)
    add (p, STEP_NO_NEW_PRIVS);
  /* The setup runs under umask 0 (device nodes get the modes asked for);
     the process gets the conventional 0022 unless told otherwise. */
  add (p, STEP_UMASK)->umask = proc->user && proc->user->umask_present ? (mode_t) proc->user->umask : 0022;
  if (seccomp_at == SECCOMP_BEFORE_REPORT)
    add (p, STEP_SECCOMP);
  if (p->exec)
    add (p, STEP_REPORT_READY);
  else
    {
      add (p, STEP_REPORT_CREATED);
      add (p, STEP_WAIT_START);
    }
  if (p->attrs.has_cpu_final)
    add (p, STEP_CPU_AFFINITY)->cpu_final = true;
  if (p->attrs.has_personality)
    add (p, STEP_PERSONALITY);
  if (seccomp_at == SECCOMP_LAST)
    add (p, STEP_SECCOMP);
  /* After the filter, whichever of its places it took: runc runs the
     startContainer hooks under the container's seccomp filter (its
     standard_init_linux.go loads it before waiting on the exec fifo), so a
     profile that denies a syscall denies it to these hooks too.  Nothing
     of ours but the hooks' fork/exec/wait runs under it before exec. */
  const oci_hooks *hooks = p->config->hooks;
  if (!p->exec && hooks && hooks->start_container_len)
    add (p, STEP_CONTAINER_HOOKS)->path = "startContainer";
  add (p, STEP_EXEC);
  return 0;
}

/* The rootfs in the container's own mount namespace: everything the
   config asks for, then pivot_root. */
static int
plan_rootfs (struct hr_plan *p, const oci_config *cfg, const struct hr_plan_opts *opts, hr_err *err)
{
  const oci_linux *lx = cfg->linux_;

  struct hr_step *s = add (p, STEP_ROOT_PROPAGATION);
  s->flags = propagation_flags (lx);
  /* This first pass is on the copy of the host's tree the rootfs and the
     bind sources come from: an unbindable one would refuse every bind
     (runc 1.1 fails there: "mount rootfs ... invalid argument").  rslave
     keeps the host out just as well; unbindable is for the container's
     own tree (STEP_ROOT_PROPAGATION_FINAL). */
  if (s->flags & MS_UNBINDABLE)
    s->flags = MS_SLAVE | MS_REC;
  /* The mount namespace is ours now: a private procfs for the runtime's
     own writes. */
  add (p, STEP_OPEN_PROCFS);
  add (p, STEP_BIND_ROOTFS)->path = opts->rootfs;

  bool dev_readonly = false;
  if (plan_mounts (p, cfg, opts->notify_dir, &dev_readonly, err) < 0)
    return -1;
  /* An explicit rootfsPropagation is applied again to the new / (mounts.c),
     as runc maps it: "shared" is / alone, "rshared" its whole tree. */
  bool root_prop = lx && lx->rootfs_propagation_present;
  uint64_t root_propagation = root_prop ? propagation_flags (lx) : 0;
  if (root_prop && !propagation_recursive (lx->rootfs_propagation))
    root_propagation &= ~(uint64_t) MS_REC;
  /* runc creates a missing cwd inside the rootfs, before the root can
     become read-only. */
  add (p, STEP_MKDIR_CWD)->path = cfg->process->cwd;
  struct hr_step *pivot = add (p, STEP_PIVOT_ROOT);
  pivot->flags = root_propagation;
  pivot->no_pivot = opts->no_pivot;
  /* runc's reOpenDevNull: the init's stdio that is the host's /dev/null
     (conmon's stdin) becomes the container's own, so nothing of it names
     a file outside the container (CRIU cannot dump an fd on a mount the
     container does not have: "Can't lookup mount"). */
  add (p, STEP_REOPEN_DEV_NULL);
  /* runc's order: the console after every mount the config asked for
     (the pty comes from the container's own /dev/pts), before the rootfs
     is finalized (read-only paths, read-only root). */
  if (cfg->process->terminal_present && cfg->process->terminal)
    add (p, STEP_CONSOLE)->init_console = true;

  for (size_t i = 0; lx && i < lx->masked_paths_len; i++)
    add (p, STEP_MASK_PATH)->path = lx->masked_paths[i];
  for (size_t i = 0; lx && i < lx->readonly_paths_len; i++)
    add (p, STEP_READONLY_PATH)->path = lx->readonly_paths[i];
  /* runc's finalizeRootfs: /dev, then the root. */
  if (dev_readonly)
    add (p, STEP_DEV_READONLY);
  if (cfg->root->readonly_present && cfg->root->readonly)
    add (p, STEP_ROOT_READONLY);
  /* After the last mount of the setup: masking and read-only paths clone
     mounts of the container's tree, which an unbindable tree refuses. */
  if (root_propagation)
    add (p, STEP_ROOT_PROPAGATION_FINAL)->flags = root_propagation;
  return 0;
}

/* runtime-spec config-linux.md "Namespaces": without a mount namespace
   the container shares the runtime's, so its mount table is the host's.
   runc 1.1 still mounts the rootfs and every config mount there, and
   leaves them behind; here nothing is mounted: the rootfs is entered with
   chroot(2), which changes no mount table, and what would need a mount is
   refused. */
static int
plan_rootfs_shared_mntns (struct hr_plan *p, const oci_config *cfg, const struct hr_plan_opts *opts, hr_err *err)
{
  const oci_linux *lx = cfg->linux_;
  const char *needs_mount = cfg->mounts_len                                         ? "mounts"
                            : opts->notify_dir                                      ? "NOTIFY_SOCKET"
                            : lx && lx->devices_len                                 ? "linux.devices"
                            : lx && lx->masked_paths_len                            ? "linux.maskedPaths"
                            : lx && lx->readonly_paths_len                          ? "linux.readonlyPaths"
                            : lx && lx->rootfs_propagation_present                  ? "linux.rootfsPropagation"
                            : cfg->root->readonly_present && cfg->root->readonly    ? "root.readonly"
                            : cfg->process->terminal_present && cfg->process->terminal ? "process.terminal"
                                                                                    : NULL;
  if (needs_mount)
    return hr_error_plain (err, EINVAL,
                           "%s: needs a mount, and without a mount namespace in linux.namespaces the container "
                           "shares the host's mount table",
                           needs_mount);
  if (opts->no_pivot)
    return hr_error_plain (err, EINVAL, "--no-pivot: needs a mount namespace in linux.namespaces");
  add (p, STEP_OPEN_ROOTFS)->path = opts->rootfs;
  /* never attached: the host's mount table does not change */
  add (p, STEP_OPEN_PROCFS);
  plan_hooks (p, cfg);
  add (p, STEP_MKDIR_CWD)->path = cfg->process->cwd;
  add (p, STEP_CHROOT);
  return 0;
}

int
hr_plan_build (const oci_config *cfg, const struct hr_plan_opts *opts, struct hr_plan **out, hr_err *err)
{
  _cleanup_ (hr_plan_freep) struct hr_plan *p = xmalloc0 (sizeof (*p));
  const oci_linux *lx = cfg->linux_;

  p->config = cfg;
  p->process = cfg->process;
  p->seccomp = lx ? lx->seccomp : NULL;
  p->rootfs = opts->rootfs;
  p->bundle = opts->bundle;
  p->policy = opts->policy;
  if (cfg->process == NULL)
    return hr_error_plain (err, EINVAL, "config.json: process: missing (a container needs a process to run)");
  if (cfg->root == NULL || cfg->root->path == NULL)
    return hr_error_plain (err, EINVAL, "config.json: root.path: missing");
  if (hr_config_refuse_unimplemented (cfg, err) < 0)
    return -1;

  /* runtime-spec config.md: relative paths (bind sources) are relative to
     the bundle, as runc's working directory is. */
  if (opts->bundle)
    add (p, STEP_CHDIR_BUNDLE)->path = opts->bundle;
  size_t after_bundle = p->len;
  if (plan_namespaces (p, lx, err) < 0 || plan_netdevices (lx, err) < 0)
    return -1;
  /* runc 1.1 does the same (nsexec's send_mountsources): a new user
     namespace with a new mount namespace, the one the fds must be in.
     Received before anything else, as the parent sends them right after
     GO: once the init is root of its new user namespace it could no
     longer reach a source only host root may.  A rootless runtime has no
     more access than its init (the same uid, mapped), and no way into a
     non-dumpable init's /proc/<pid>/root: the init opens them itself, as
     runc's rootless containers do. */
  p->parent_opens_binds = p->new_userns && (p->clone_flags & CLONE_NEWNS) && !opts->unprivileged;
  if (p->parent_opens_binds)
    insert_step (p, after_bundle, STEP_RECV_BIND_SOURCES);
  if (opts->cgroupns_late && (p->clone_flags & CLONE_NEWCGROUP))
    {
      p->clone_flags &= ~CLONE_NEWCGROUP;
      add (p, STEP_UNSHARE_CGROUPNS);
    }
  if (hr_proc_attrs_lower (cfg->process, lx, &p->attrs, err) < 0)
    return -1;
  if (p->attrs.has_cpu_initial)
    add (p, STEP_CPU_AFFINITY);
  /* runc gives each container its own session keyring unless told not to,
     so containers do not share the host's keys. */
  if (opts->keyring)
    add (p, STEP_SESSION_KEYRING)->value = opts->keyring;

  if (((p->ns_listed & CLONE_NEWNS) ? plan_rootfs : plan_rootfs_shared_mntns) (p, cfg, opts, err) < 0)
    return -1;

  /* config.md "Hostname": set in the container's UTS namespace, new or
     joined; runc's validator refuses it only with none at all (the
     runtime's own). */
  if (cfg->hostname && *cfg->hostname)
    {
      if (!(p->ns_listed & CLONE_NEWUTS))
        return hr_error_plain (err, EINVAL, "unable to set hostname without a private UTS namespace");
      add (p, STEP_HOSTNAME)->value = cfg->hostname;
    }
  if (cfg->domainname && *cfg->domainname)
    {
      if (!(p->ns_listed & CLONE_NEWUTS))
        return hr_error_plain (err, EINVAL, "unable to set domainname without a private UTS namespace");
      add (p, STEP_DOMAINNAME)->value = cfg->domainname;
    }
  for (size_t i = 0; lx && i < lx->sysctl.len; i++)
    {
      if (check_sysctl (p, lx, lx->sysctl.keys[i], err) < 0)
        return -1;
      struct hr_step *s = add (p, STEP_SYSCTL);
      s->path = lx->sysctl.keys[i];
      s->value = lx->sysctl.values[i];
    }

  if (hr_seccomp_check (p->seccomp, err) < 0 || plan_limits (p, cfg->process, err) < 0
      || plan_process (p, cfg->process, err) < 0)
    return -1;
  *out = TAKE_PTR (p);
  return 0;
}

int
hr_plan_build_restore (const oci_config *cfg, const struct hr_plan_opts *opts, struct hr_plan **out, hr_err *err)
{
  struct hr_plan *p = NULL;
  size_t n = 0;

  if (hr_plan_build (cfg, opts, &p, err) < 0)
    return -1;
  for (size_t i = 0; i < p->len; i++)
    {
      struct hr_step s = p->steps[i];
      switch (s.kind)
        {
        case STEP_ROOT_PROPAGATION:
          /* Nothing made here may reach the host's mount table. */
          s.flags = MS_REC | MS_SLAVE;
          /* fall through */
        case STEP_CHDIR_BUNDLE:
        case STEP_BIND_ROOTFS:
        case STEP_OPEN_ROOTFS:
        case STEP_MOUNT:
        case STEP_MKDIR_CWD:
          p->steps[n++] = s;
          break;
        default:
          /* (a dropped step owns its parsed mount options) */
          hr_mount_opts_clear (&p->steps[i].opts);
          break;
        }
    }
  p->len = n;
  p->restore = true;
  /* Host root in the host's user namespace opens the sources itself. */
  p->parent_opens_binds = false;
  p->clone_flags = CLONE_NEWNS;
  *out = p;
  return 0;
}

int
hr_plan_build_exec (const oci_config *cfg, const oci_process *proc, int preserve_fds, struct hr_plan **out,
                    hr_err *err)
{
  return hr_plan_build_exec_policy (cfg, proc, preserve_fds, NULL, out, err);
}

int
hr_plan_build_exec_policy (const oci_config *cfg, const oci_process *proc, int preserve_fds,
                           const struct hr_policy *policy, struct hr_plan **out, hr_err *err)
{
  _cleanup_ (hr_plan_freep) struct hr_plan *p = xmalloc0 (sizeof (*p));
  const oci_linux *lx = cfg->linux_;

  p->config = cfg;
  p->policy = policy;
  p->exec = true;
  p->process = proc;
  p->seccomp = lx ? lx->seccomp : NULL;
  /* process.scheduler, ioPriority and execCPUAffinity are the process's;
     linux.personality and memoryPolicy the container's, for every
     process in it, as runc 1.2 applies them in its setns init too. */
  if (hr_seccomp_check (p->seccomp, err) < 0 || hr_proc_attrs_lower (proc, lx, &p->attrs, err) < 0)
    return -1;
  /* Made before joining the container's user and mount namespaces: in a
     user namespace a procfs under maskedPaths could not be made.  It is
     where the pty's ptmx is reopened and the LSM labels and
     oom_score_adj are written (never the container's /proc:
     CVE-2019-16884). */
  add (p, STEP_OPEN_PROCFS);
  if (p->attrs.has_cpu_initial)
    add (p, STEP_CPU_AFFINITY);
  /* With host privileges, before anything of the container but its pid
     namespace is involved: a lower oom_score_adj or a higher hard rlimit
     needs CAP_SYS_RESOURCE in the initial user namespace. */
  if (plan_limits (p, proc, err) < 0)
    return -1;
  add (p, STEP_JOIN_CONTAINER);
  /* socket activation for an exec'd service (sd_listen_fds(3)), as
     create does for the init: the issue asks it where runc's exec passes
     the fds without the variables (docs/compat.md).  Only a process
     that sets none of them itself; whether the fds are sockets is seen
     at run time. */
  if (preserve_fds > 0 && !env_has (proc->env, proc->env_len, "LISTEN_FDS")
      && !env_has (proc->env, proc->env_len, "LISTEN_PID"))
    add (p, STEP_LISTEN_FDS)->soft = (uint64_t) preserve_fds;
  if (plan_process (p, proc, err) < 0)
    return -1;
  *out = TAKE_PTR (p);
  return 0;
}
