/* SPDX-License-Identifier: Apache-2.0 */
#include <config.h>
#include "plan.h"
#include "caps.h"
#include "cleanup.h"
#include "namespaces.h"
#include "process.h"
#include "seccomp.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sched.h>
#ifndef CLONE_NEWTIME
# define CLONE_NEWTIME 0x00000080
#endif
#include <sys/mount.h>

static const char *step_names[] = {
  [STEP_JOIN_NS] = "join-namespace",
  [STEP_BECOME_ROOT] = "become-root",
  [STEP_UNSHARE_CGROUPNS] = "unshare-cgroupns",
  [STEP_LOOPBACK_UP] = "loopback-up",
  [STEP_SESSION_KEYRING] = "session-keyring",
  [STEP_CPU_AFFINITY] = "cpu-affinity",
  [STEP_SCHEDULER] = "scheduler",
  [STEP_IOPRIO] = "io-priority",
  [STEP_MEMPOLICY] = "memory-policy",
  [STEP_APPARMOR] = "apparmor-profile",
  [STEP_PERSONALITY] = "personality",
  [STEP_SECCOMP] = "seccomp",
  [STEP_RUNTIME_HOOKS] = "runtime-hooks",
  [STEP_CONTAINER_HOOKS] = "container-hooks",
  [STEP_MKDIR_CWD] = "mkdir-cwd",
  [STEP_ROOT_PROPAGATION] = "root-propagation",
  [STEP_BIND_ROOTFS] = "bind-rootfs",
  [STEP_MOUNT] = "mount",
  [STEP_MOUNT_CGROUP] = "mount-cgroup",
  [STEP_DEFAULT_DEVICES] = "default-devices",
  [STEP_DEVICE] = "device",
  [STEP_DEV_SYMLINKS] = "dev-symlinks",
  [STEP_PIVOT_ROOT] = "pivot-root",
  [STEP_CONSOLE] = "console",
  [STEP_MASK_PATH] = "mask-path",
  [STEP_READONLY_PATH] = "readonly-path",
  [STEP_ROOT_READONLY] = "root-readonly",
  [STEP_HOSTNAME] = "hostname",
  [STEP_DOMAINNAME] = "domainname",
  [STEP_SYSCTL] = "sysctl",
  [STEP_OOM_SCORE_ADJ] = "oom-score-adj",
  [STEP_RLIMIT] = "rlimit",
  [STEP_LOOKUP_EXEC] = "lookup-exec",
  [STEP_CHDIR] = "chdir",
  [STEP_SET_USER] = "set-user",
  [STEP_CAPS] = "capabilities",
  [STEP_NO_NEW_PRIVS] = "no-new-privileges",
  [STEP_UMASK] = "umask",
  [STEP_REPORT_CREATED] = "report-created",
  [STEP_WAIT_START] = "wait-start",
  [STEP_EXEC] = "exec",
};

const char *
hr_step_name (enum hr_step_kind kind)
{
  if ((size_t) kind < sizeof (step_names) / sizeof (step_names[0]) && step_names[kind])
    return step_names[kind];
  return "?";
}

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

DEFINE_CLEANUP_FUNC (struct hr_plan, hr_plan_free)

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
      const struct hr_ns_info *info = hr_ns_by_name (ns->type);
      if (info == NULL)
        return hr_error_plain (err, EINVAL, "linux.namespaces[%zu]: unknown namespace type `%s`", i, ns->type);
      if (seen & info->clone_flag)
        return hr_error_plain (err, EINVAL, "linux.namespaces: duplicate namespace type `%s`", ns->type);
      seen |= info->clone_flag;
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
  /* Without its own mount namespace the container's rootfs setup would
     happen in the host's: refuse rather than pivot the host. */
  if (!(seen & CLONE_NEWNS))
    return hr_error_plain (err, EINVAL, "linux.namespaces: a mount namespace is required");

  /* Joins in the order of hr_ns_all (user first, mount last).  The pid
     namespace is joined by the parent before clone: setns(CLONE_NEWPID)
     only affects children. */
  for (size_t k = 0; k < n_all; k++)
    for (size_t i = 0; lx && i < lx->namespaces_len; i++)
      {
        const oci_linux_namespace *ns = lx->namespaces[i];
        if (ns->path == NULL || ns->path[0] == '\0' || strcmp (ns->type, all[k].oci_name) != 0)
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

static uint64_t
propagation_flags (const char *prop, hr_err *err, int *ok)
{
  *ok = 1;
  if (prop == NULL || *prop == '\0')
    return MS_SLAVE | MS_REC; /* runc's default: host mounts reach us, ours never reach the host */
  if (strcmp (prop, "shared") == 0 || strcmp (prop, "rshared") == 0)
    return MS_SHARED | MS_REC;
  if (strcmp (prop, "slave") == 0 || strcmp (prop, "rslave") == 0)
    return MS_SLAVE | MS_REC;
  if (strcmp (prop, "private") == 0 || strcmp (prop, "rprivate") == 0)
    return MS_PRIVATE | MS_REC;
  if (strcmp (prop, "unbindable") == 0 || strcmp (prop, "runbindable") == 0)
    return MS_UNBINDABLE | MS_REC;
  *ok = 0;
  hr_error_plain (err, EINVAL, "linux.rootfsPropagation: unknown propagation `%s`", prop);
  return 0;
}

static int
plan_mounts (struct hr_plan *p, const oci_config *cfg, hr_err *err)
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
      s->path = m->destination;
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
    }

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

  /* runtime-spec config.md: createRuntime hooks run in the runtime
     namespace once the container's namespaces exist, createContainer hooks
     in the container's, both before pivot_root. */
  if (cfg->hooks && (cfg->hooks->prestart_len || cfg->hooks->create_runtime_len))
    add (p, STEP_RUNTIME_HOOKS);
  if (cfg->hooks && cfg->hooks->create_container_len)
    add (p, STEP_CONTAINER_HOOKS)->path = "createContainer";
  return 0;
}

static int
plan_process (struct hr_plan *p, const oci_process *proc, bool seccomp, hr_err *err)
{
  struct hr_step *s;

  if (proc->oom_score_adj_present)
    add (p, STEP_OOM_SCORE_ADJ)->num = proc->oom_score_adj;
  for (size_t i = 0; i < proc->rlimits_len; i++)
    {
      const oci_rlimit *rl = proc->rlimits[i];
      int res = hr_rlimit_by_name (rl->type);
      if (res < 0)
        return hr_error_plain (err, EINVAL, "process.rlimits[%zu].type: unknown rlimit `%s`", i, rl->type);
      s = add (p, STEP_RLIMIT);
      s->resource = res;
      s->path = rl->type;
      s->soft = rl->soft;
      s->hard = rl->hard;
    }
  if (p->attrs.has_sched)
    add (p, STEP_SCHEDULER);
  if (p->attrs.has_ioprio)
    add (p, STEP_IOPRIO);
  if (p->attrs.has_mempolicy)
    add (p, STEP_MEMPOLICY);
  if (proc->apparmor_profile && *proc->apparmor_profile)
    add (p, STEP_APPARMOR)->value = proc->apparmor_profile;
  if (proc->args_len == 0)
    return hr_error_plain (err, EINVAL, "process.args: must not be empty");
  add (p, STEP_LOOKUP_EXEC)->path = proc->args[0];
  if (proc->cwd == NULL || proc->cwd[0] != '/')
    return hr_error_plain (err, EINVAL, "process.cwd: must be an absolute path, got `%s`", proc->cwd ? proc->cwd : "");
  add (p, STEP_CHDIR)->path = proc->cwd;
  /* runtime-spec config-linux.md "Seccomp"; runc's order: without
     no_new_privs the filter is loaded while the process still has
     CAP_SYS_ADMIN, with it as late as possible. */
  bool nnp = proc->no_new_privileges_present && proc->no_new_privileges;
  if (seccomp && !nnp)
    add (p, STEP_SECCOMP);
  add (p, STEP_SET_USER);
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
  /* Without a capabilities object the process keeps none (runc does the
     same); the step still runs to drop everything. */
  p->has_caps = true;
  add (p, STEP_CAPS);
  if (proc->no_new_privileges_present && proc->no_new_privileges)
    add (p, STEP_NO_NEW_PRIVS);
  if (proc->user && proc->user->umask_present)
    add (p, STEP_UMASK)->num = proc->user->umask;
  return 0;
}

int
hr_plan_build (const oci_config *cfg, const struct hr_plan_opts *opts, struct hr_plan **out, hr_err *err)
{
  _cleanup_ (hr_plan_freep) struct hr_plan *p = xmalloc0 (sizeof (*p));
  const oci_linux *lx = cfg->linux_;
  int ok;

  p->config = cfg;
  p->rootfs = opts->rootfs;
  p->bundle = opts->bundle;
  if (cfg->process == NULL)
    return hr_error_plain (err, EINVAL, "config.json: process: missing (a container needs a process to run)");
  if (cfg->root == NULL || cfg->root->path == NULL)
    return hr_error_plain (err, EINVAL, "config.json: root.path: missing");

  if (plan_namespaces (p, lx, err) < 0)
    return -1;
  if (opts->cgroupns_late && (p->clone_flags & CLONE_NEWCGROUP))
    {
      p->clone_flags &= ~CLONE_NEWCGROUP;
      add (p, STEP_UNSHARE_CGROUPNS);
    }
  if (hr_proc_attrs_lower (cfg->process, lx, &p->attrs, err) < 0)
    return -1;
  if (p->attrs.has_cpu_initial)
    add (p, STEP_CPU_AFFINITY)->num = 0;
  /* runc gives each container its own session keyring unless told not to,
     so containers do not share the host's keys. */
  if (opts->keyring)
    add (p, STEP_SESSION_KEYRING)->value = opts->keyring;

  struct hr_step *s = add (p, STEP_ROOT_PROPAGATION);
  s->flags = propagation_flags (lx ? lx->rootfs_propagation : NULL, err, &ok);
  if (!ok)
    return -1;
  add (p, STEP_BIND_ROOTFS)->path = opts->rootfs;

  if (plan_mounts (p, cfg, err) < 0)
    return -1;
  /* An explicit rootfsPropagation is applied again to the new / (mounts.c),
     as runc maps it: "shared" is / alone, "rshared" its whole tree. */
  const char *root_prop = lx ? lx->rootfs_propagation : NULL;
  uint64_t root_propagation = root_prop && *root_prop ? propagation_flags (root_prop, err, &ok) : 0;
  if (root_prop && *root_prop != 'r')
    root_propagation &= ~(uint64_t) MS_REC;
  /* runc creates a missing cwd inside the rootfs, before the root can
     become read-only. */
  add (p, STEP_MKDIR_CWD)->path = cfg->process->cwd;
  struct hr_step *pivot = add (p, STEP_PIVOT_ROOT);
  pivot->flags = root_propagation;
  pivot->num = opts->no_pivot;
  /* runc's order: the console after every mount the config asked for
     (the pty comes from the container's own /dev/pts), before the rootfs
     is finalized (read-only paths, read-only root). */
  if (cfg->process->terminal_present && cfg->process->terminal)
    add (p, STEP_CONSOLE);

  for (size_t i = 0; lx && i < lx->masked_paths_len; i++)
    add (p, STEP_MASK_PATH)->path = lx->masked_paths[i];
  for (size_t i = 0; lx && i < lx->readonly_paths_len; i++)
    add (p, STEP_READONLY_PATH)->path = lx->readonly_paths[i];
  if (cfg->root->readonly_present && cfg->root->readonly)
    add (p, STEP_ROOT_READONLY);

  if (cfg->hostname)
    {
      if (!(p->clone_flags & CLONE_NEWUTS))
        return hr_error_plain (err, EINVAL, "hostname: setting it needs a new uts namespace");
      add (p, STEP_HOSTNAME)->value = cfg->hostname;
    }
  if (cfg->domainname)
    {
      if (!(p->clone_flags & CLONE_NEWUTS))
        return hr_error_plain (err, EINVAL, "domainname: setting it needs a new uts namespace");
      add (p, STEP_DOMAINNAME)->value = cfg->domainname;
    }
  for (size_t i = 0; lx && i < lx->sysctl.len; i++)
    {
      s = add (p, STEP_SYSCTL);
      s->path = lx->sysctl.keys[i];
      s->value = lx->sysctl.values[i];
    }

  if (hr_seccomp_check (lx ? lx->seccomp : NULL, err) < 0)
    return -1;
  if (plan_process (p, cfg->process, lx && lx->seccomp, err) < 0)
    return -1;
  add (p, STEP_REPORT_CREATED);
  add (p, STEP_WAIT_START);
  if (p->attrs.has_cpu_final)
    add (p, STEP_CPU_AFFINITY)->num = 1;
  if (p->attrs.has_personality)
    add (p, STEP_PERSONALITY);
  if (cfg->linux_ && cfg->linux_->seccomp && cfg->process->no_new_privileges_present
      && cfg->process->no_new_privileges)
    add (p, STEP_SECCOMP);
  /* After the filter, whichever of its two places it took: runc runs the
     startContainer hooks under the container's seccomp filter (its
     standard_init_linux.go loads it before waiting on the exec fifo), so a
     profile that denies a syscall denies it to these hooks too.  Nothing
     of ours but the hooks' fork/exec/wait runs under it before exec. */
  if (cfg->hooks && cfg->hooks->start_container_len)
    add (p, STEP_CONTAINER_HOOKS)->path = "startContainer";
  add (p, STEP_EXEC);

  *out = TAKE_PTR (p);
  return 0;
}

char *
hr_plan_format (const struct hr_plan *p)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&buf, &len);

  if (f == NULL)
    return xstrdup ("");
  fprintf (f, "clone flags: 0x%x%s%s%s%s\n", (unsigned) p->clone_flags, p->join_pid ? ", join pid namespace " : "",
           p->join_pid ? p->join_pid : "", p->new_userns ? ", write id maps" : "",
           p->new_timens ? ", new time namespace" : "");
  for (size_t i = 0; i < p->len; i++)
    {
      const struct hr_step *s = &p->steps[i];
      fprintf (f, "%3zu %s", i, hr_step_name (s->kind));
      switch (s->kind)
        {
        case STEP_JOIN_NS:
          fprintf (f, " %s %s", s->ns->oci_name, s->path);
          break;
        case STEP_MOUNT:
        case STEP_MOUNT_CGROUP:
          fprintf (f, " %s type=%s source=%s%s attr=+0x%llx/-0x%llx", s->mount->destination,
                   s->mount->type ? s->mount->type : "-", s->mount->source ? s->mount->source : "-",
                   s->opts.rbind ? " rbind" : s->opts.bind ? " bind" : "", (unsigned long long) s->opts.attr_set,
                   (unsigned long long) s->opts.attr_clear);
          for (size_t k = 0; k < s->opts.fs_options_len; k++)
            fprintf (f, "%s%s", k ? "," : " data=", s->opts.fs_options[k]);
          break;
        case STEP_ROOT_PROPAGATION:
          fprintf (f, " 0x%llx", (unsigned long long) s->flags);
          break;
        case STEP_RLIMIT:
          fprintf (f, " %s soft=%llu hard=%llu", s->path, (unsigned long long) s->soft, (unsigned long long) s->hard);
          break;
        case STEP_OOM_SCORE_ADJ:
        case STEP_UMASK:
          fprintf (f, " %lld", (long long) s->num);
          break;
        case STEP_CAPS:
          fprintf (f, " bnd=0x%llx eff=0x%llx inh=0x%llx prm=0x%llx amb=0x%llx",
                   (unsigned long long) p->caps.bounding, (unsigned long long) p->caps.effective,
                   (unsigned long long) p->caps.inheritable, (unsigned long long) p->caps.permitted,
                   (unsigned long long) p->caps.ambient);
          break;
        default:
          if (s->path)
            fprintf (f, " %s", s->path);
          if (s->value)
            fprintf (f, " %s", s->value);
          break;
        }
      fputc ('\n', f);
    }
  fclose (f);
  return buf;
}
