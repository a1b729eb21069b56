/* SPDX-License-Identifier: Apache-2.0 */
#include <config.h>
#include "kernel/process_attrs.h"
#include "cleanup.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <unistd.h>

/* <linux/sched/types.h> without the kernel headers' baggage. */
struct sched_attr_v1
{
  uint32_t size, sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime, sched_deadline, sched_period;
};

/* The kernel's values, indexed by the enumerations libocispec parsed
   (oci-spec/enums.def). */
static const uint64_t sched_policies[OCI_SCHED_POLICY__COUNT] = {
  [OCI_SCHED_POLICY_OTHER] = 0, [OCI_SCHED_POLICY_FIFO] = 1,  [OCI_SCHED_POLICY_RR] = 2,
  [OCI_SCHED_POLICY_BATCH] = 3, [OCI_SCHED_POLICY_ISO] = 4,   [OCI_SCHED_POLICY_IDLE] = 5,
  [OCI_SCHED_POLICY_DEADLINE] = 6,
};
static const uint64_t sched_flags[OCI_SCHED_FLAG__COUNT] = {
  [OCI_SCHED_FLAG_RESET_ON_FORK] = 0x01,  [OCI_SCHED_FLAG_RECLAIM] = 0x02,
  [OCI_SCHED_FLAG_DL_OVERRUN] = 0x04,     [OCI_SCHED_FLAG_KEEP_POLICY] = 0x08,
  [OCI_SCHED_FLAG_KEEP_PARAMS] = 0x10,    [OCI_SCHED_FLAG_UTIL_CLAMP_MIN] = 0x20,
  [OCI_SCHED_FLAG_UTIL_CLAMP_MAX] = 0x40,
};
static const uint64_t ioprio_classes[OCI_IOPRIO_CLASS__COUNT] = {
  [OCI_IOPRIO_CLASS_RT] = 1, [OCI_IOPRIO_CLASS_BE] = 2, [OCI_IOPRIO_CLASS_IDLE] = 3,
};
static const uint64_t mpol_modes[OCI_MEMORY_POLICY_MODE__COUNT] = {
  [OCI_MEMORY_POLICY_MODE_DEFAULT] = 0,        [OCI_MEMORY_POLICY_MODE_PREFERRED] = 1,
  [OCI_MEMORY_POLICY_MODE_BIND] = 2,           [OCI_MEMORY_POLICY_MODE_INTERLEAVE] = 3,
  [OCI_MEMORY_POLICY_MODE_LOCAL] = 4,          [OCI_MEMORY_POLICY_MODE_PREFERRED_MANY] = 5,
  [OCI_MEMORY_POLICY_MODE_WEIGHTED_INTERLEAVE] = 6,
};
static const uint64_t mpol_flags[OCI_MEMORY_POLICY_FLAG__COUNT] = {
  [OCI_MEMORY_POLICY_FLAG_NUMA_BALANCING] = 1 << 13,
  [OCI_MEMORY_POLICY_FLAG_RELATIVE_NODES] = 1 << 14,
  [OCI_MEMORY_POLICY_FLAG_STATIC_NODES] = 1 << 15,
};

/* table[idx] into *out; false when idx is out of range (a struct built
   by hand, not parsed). */
#define LOOKUP(table, idx, out)                                                  \
  ({                                                                             \
    int _i = (idx);                                                              \
    bool _found = _i >= 0 && (size_t) _i < sizeof (table) / sizeof (table[0]);  \
    if (_found)                                                                  \
      *(out) = table[_i];                                                        \
    _found;                                                                      \
  })

int
hr_parse_id_list (const char *s, unsigned long *bits, size_t nbits, hr_err *err)
{
  const char *p = s;
  const size_t per = 8 * sizeof (unsigned long);

  memset (bits, 0, (nbits + per - 1) / per * sizeof (unsigned long));
  while (*p)
    {
      char *end;
      unsigned long a, b;
      while (*p == ' ' || *p == ',')
        p++;
      if (*p == '\0')
        break;
      errno = 0;
      a = strtoul (p, &end, 10);
      if (end == p || errno)
        return hr_error_plain (err, EINVAL, "invalid list `%s`", s);
      b = a;
      p = end;
      if (*p == '-')
        {
          p++;
          b = strtoul (p, &end, 10);
          if (end == p || errno || b < a)
            return hr_error_plain (err, EINVAL, "invalid range in `%s`", s);
          p = end;
        }
      if (b >= nbits)
        return hr_error_plain (err, EINVAL, "`%s`: %lu is out of range", s, b);
      for (unsigned long i = a; i <= b; i++)
        bits[i / per] |= 1UL << (i % per);
      if (*p && *p != ',' && *p != ' ')
        return hr_error_plain (err, EINVAL, "invalid list `%s`", s);
    }
  return 0;
}

static int
lower_cpus (const char *list, cpu_set_t *set, const char *field, hr_err *err)
{
  CPU_ZERO (set);
  if (hr_parse_id_list (list, (unsigned long *) set, CPU_SETSIZE, err) < 0)
    return hr_error_wrap (err, "process.execCPUAffinity.%s", field);
  return 0;
}

int
hr_proc_attrs_lower (const oci_process *proc, const oci_linux *lx, struct hr_proc_attrs *out, hr_err *err)
{
  memset (out, 0, sizeof (*out));
  if (proc->scheduler)
    {
      const oci_scheduler *s = proc->scheduler;
      uint64_t v;
      if (!s->policy_present || !LOOKUP (sched_policies, s->policy, &v))
        return hr_error_plain (err, EINVAL, "process.scheduler.policy: unknown policy");
      out->sched.policy = (uint32_t) v;
      for (size_t i = 0; i < s->flags_len; i++)
        {
          if (!LOOKUP (sched_flags, s->flags[i], &v))
            return hr_error_plain (err, EINVAL, "process.scheduler.flags[%zu]: unknown flag", i);
          out->sched.flags |= v;
        }
      out->sched.nice = s->nice_present ? s->nice : 0;
      out->sched.priority = s->priority_present ? (uint32_t) s->priority : 0;
      out->sched.runtime = s->runtime;
      out->sched.deadline = s->deadline;
      out->sched.period = s->period;
      out->has_sched = true;
    }
  if (proc->io_priority)
    {
      uint64_t cls;
      int prio = proc->io_priority->priority_present ? proc->io_priority->priority : 0;
      if (!proc->io_priority->class_present || !LOOKUP (ioprio_classes, proc->io_priority->class, &cls))
        return hr_error_plain (err, EINVAL, "process.ioPriority.class: unknown class");
      if (prio < 0 || prio > 7)
        return hr_error_plain (err, EINVAL, "process.ioPriority.priority: %d is not in 0..7", prio);
      out->ioprio = (int) (cls << 13) | prio;
      out->has_ioprio = true;
    }
  if (proc->exec_cpu_affinity)
    {
      if (proc->exec_cpu_affinity->initial
          && lower_cpus (proc->exec_cpu_affinity->initial, &out->cpu_initial, "initial", err) < 0)
        return -1;
      if (proc->exec_cpu_affinity->final
          && lower_cpus (proc->exec_cpu_affinity->final, &out->cpu_final, "final", err) < 0)
        return -1;
      out->has_cpu_initial = proc->exec_cpu_affinity->initial != NULL;
      out->has_cpu_final = proc->exec_cpu_affinity->final != NULL;
    }
  if (lx && lx->personality && lx->personality->domain_present)
    {
      out->personality = lx->personality->domain == OCI_PERSONALITY_DOMAIN_LINUX32 ? PER_LINUX32 : PER_LINUX;
      out->has_personality = true;
    }
  if (lx && lx->memory_policy && lx->memory_policy->mode_present)
    {
      const oci_linux_memory_policy *m = lx->memory_policy;
      uint64_t v;
      if (!LOOKUP (mpol_modes, m->mode, &v))
        return hr_error_plain (err, EINVAL, "linux.memoryPolicy.mode: unknown mode");
      out->mempolicy.mode = (int) v;
      for (size_t i = 0; i < m->flags_len; i++)
        {
          if (!LOOKUP (mpol_flags, m->flags[i], &v))
            return hr_error_plain (err, EINVAL, "linux.memoryPolicy.flags[%zu]: unknown flag", i);
          out->mempolicy.mode |= (int) v;
        }
      if (m->nodes && *m->nodes)
        {
          if (hr_parse_id_list (m->nodes, out->mempolicy.nodes, HR_MAX_NUMA_NODES, err) < 0)
            return hr_error_wrap (err, "linux.memoryPolicy.nodes");
          out->mempolicy.maxnode = HR_MAX_NUMA_NODES;
        }
      out->has_mempolicy = true;
    }
  return 0;
}

int
hr_apply_sched (const struct hr_sched *s, hr_err *err)
{
  struct sched_attr_v1 a = {
    .size = sizeof (a), .sched_policy = s->policy, .sched_flags = s->flags, .sched_nice = s->nice,
    .sched_priority = s->priority, .sched_runtime = s->runtime, .sched_deadline = s->deadline,
    .sched_period = s->period,
  };
  if (syscall (SYS_sched_setattr, 0, &a, 0) < 0)
    return hr_error_set (err, errno, "sched_setattr (process.scheduler)");
  return 0;
}

int
hr_apply_ioprio (int ioprio, hr_err *err)
{
  /* IOPRIO_WHO_PROCESS, this process. */
  if (syscall (SYS_ioprio_set, 1, 0, ioprio) < 0)
    return hr_error_set (err, errno, "ioprio_set (process.ioPriority)");
  return 0;
}

int
hr_apply_personality (unsigned long persona, hr_err *err)
{
  if (personality (persona) < 0)
    return hr_error_set (err, errno, "personality (linux.personality)");
  return 0;
}

int
hr_apply_mempolicy (const struct hr_mempolicy *m, hr_err *err)
{
  if (syscall (SYS_set_mempolicy, m->mode, m->maxnode ? m->nodes : NULL, m->maxnode) < 0)
    return hr_error_set (err, errno, "set_mempolicy (linux.memoryPolicy)");
  return 0;
}

int
hr_apply_cpu_affinity (const cpu_set_t *set, hr_err *err)
{
  if (sched_setaffinity (0, sizeof (*set), set) < 0)
    return hr_error_set (err, errno, "sched_setaffinity (process.execCPUAffinity)");
  return 0;
}
