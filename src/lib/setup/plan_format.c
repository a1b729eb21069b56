/* SPDX-License-Identifier: Apache-2.0 */
/* The plan as text: step names and one line per step, for --debug (runc
   logs its stages too) and for the unit tests that pin the plans. */
#include <config.h>
#include "setup/plan.h"
#include "kernel/namespaces.h"
#include "util.h"

#include <stdio.h>

static const char *step_names[] = {
  [STEP_JOIN_NS] = "join-namespace",
  [STEP_BECOME_ROOT] = "become-root",
  [STEP_UNSHARE_CGROUPNS] = "unshare-cgroupns",
  [STEP_LOOPBACK_UP] = "loopback-up",
  [STEP_SESSION_KEYRING] = "session-keyring",
  [STEP_CPU_AFFINITY] = "cpu-affinity",
  [STEP_CHDIR_BUNDLE] = "chdir-bundle",
  [STEP_RECV_BIND_SOURCES] = "receive-bind-sources",
  [STEP_OPEN_PROCFS] = "open-procfs",
  [STEP_JOIN_CONTAINER] = "join-container",
  [STEP_SETSID] = "setsid",
  [STEP_CAPS_BOUNDING] = "capabilities-bounding",
  [STEP_REPORT_READY] = "report-ready",
  [STEP_SCHEDULER] = "scheduler",
  [STEP_IOPRIO] = "io-priority",
  [STEP_MEMPOLICY] = "memory-policy",
  [STEP_EXEC_LABELS] = "exec-labels",
  [STEP_PERSONALITY] = "personality",
  [STEP_SECCOMP] = "seccomp",
  [STEP_LANDLOCK] = "landlock",
  [STEP_RUNTIME_HOOKS] = "runtime-hooks",
  [STEP_CONTAINER_HOOKS] = "container-hooks",
  [STEP_MKDIR_CWD] = "mkdir-cwd",
  [STEP_ROOT_PROPAGATION] = "root-propagation",
  [STEP_BIND_ROOTFS] = "bind-rootfs",
  [STEP_OPEN_ROOTFS] = "open-rootfs",
  [STEP_CHROOT] = "chroot",
  [STEP_MOUNT] = "mount",
  [STEP_MOUNT_CGROUP] = "mount-cgroup",
  [STEP_DEFAULT_DEVICES] = "default-devices",
  [STEP_DEVICE] = "device",
  [STEP_DEV_SYMLINKS] = "dev-symlinks",
  [STEP_PIVOT_ROOT] = "pivot-root",
  [STEP_REOPEN_DEV_NULL] = "reopen-dev-null",
  [STEP_CONSOLE] = "console",
  [STEP_MASK_PATH] = "mask-path",
  [STEP_READONLY_PATH] = "readonly-path",
  [STEP_DEV_READONLY] = "dev-readonly",
  [STEP_ROOT_READONLY] = "root-readonly",
  [STEP_ROOT_PROPAGATION_FINAL] = "rootfs-propagation",
  [STEP_HOSTNAME] = "hostname",
  [STEP_DOMAINNAME] = "domainname",
  [STEP_SYSCTL] = "sysctl",
  [STEP_OOM_SCORE_ADJ] = "oom-score-adj",
  [STEP_RLIMIT] = "rlimit",
  [STEP_LOOKUP_EXEC] = "lookup-exec",
  [STEP_CHDIR] = "chdir",
  [STEP_SETENV] = "setenv",
  [STEP_HOME] = "home",
  [STEP_LISTEN_FDS] = "listen-fds",
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

char *
hr_plan_format (const struct hr_plan *p)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&buf, &len);

  if (f == NULL)
    return xstrdup ("");
  if (p->exec)
    fputs ("exec into the running container\n", f);
  else
    fprintf (f, "clone flags: 0x%x%s%s%s%s%s\n", (unsigned) p->clone_flags,
             p->join_pid ? ", join pid namespace " : "", p->join_pid ? p->join_pid : "",
             p->new_userns ? ", write id maps" : "", p->new_timens ? ", new time namespace" : "",
             p->parent_opens_binds ? ", bind sources from the parent" : "");
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
          if (s->value)
            fprintf (f, " label=%s", s->value);
          if (s->flags & HR_MOUNT_CGROUP_NS)
            fputs (" cgroupns", f);
          break;
        case STEP_SETENV:
          fprintf (f, " %s=%s", s->path, s->value);
          break;
        case STEP_LISTEN_FDS:
          fprintf (f, " %llu", (unsigned long long) s->soft);
          break;
        case STEP_ROOT_PROPAGATION:
        case STEP_ROOT_PROPAGATION_FINAL:
          fprintf (f, " 0x%llx", (unsigned long long) s->flags);
          break;
        case STEP_RLIMIT:
          fprintf (f, " %s soft=%llu hard=%llu", s->path, (unsigned long long) s->soft, (unsigned long long) s->hard);
          break;
        case STEP_OOM_SCORE_ADJ:
          fprintf (f, " %d", s->oom_score_adj);
          break;
        case STEP_UMASK:
          fprintf (f, " %04o", (unsigned) s->umask);
          break;
        case STEP_CPU_AFFINITY:
          fputs (s->cpu_final ? " final" : " initial", f);
          break;
        case STEP_PIVOT_ROOT:
          fprintf (f, " 0x%llx%s", (unsigned long long) s->flags, s->no_pivot ? " no-pivot" : "");
          break;
        case STEP_CAPS:
          fprintf (f, " eff=0x%llx inh=0x%llx prm=0x%llx amb=0x%llx", (unsigned long long) p->caps.effective,
                   (unsigned long long) p->caps.inheritable, (unsigned long long) p->caps.permitted,
                   (unsigned long long) p->caps.ambient);
          break;
        case STEP_SCHEDULER:
          fprintf (f, " policy=%u nice=%d priority=%u", (unsigned) p->attrs.sched.policy, (int) p->attrs.sched.nice,
                   (unsigned) p->attrs.sched.priority);
          break;
        case STEP_IOPRIO:
          fprintf (f, " 0x%x", (unsigned) p->attrs.ioprio);
          break;
        case STEP_PERSONALITY:
          fprintf (f, " 0x%lx", p->attrs.personality);
          break;
        case STEP_CAPS_BOUNDING:
          fprintf (f, " bnd=0x%llx", (unsigned long long) p->caps.bounding);
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
