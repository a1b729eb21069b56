/* SPDX-License-Identifier: Apache-2.0 */
/* Scheduling and memory attributes of the container process
   (runtime-spec config.md "scheduler", "ioPriority", "execCPUAffinity";
   config-linux.md "Personality", "Memory policy").  Lowering is pure and
   happens while the plan is built; applying happens in the init. */
#ifndef HYDRA_PROCESS_ATTRS_H
#define HYDRA_PROCESS_ATTRS_H

#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include "error.h"
#include "oci.h"

struct hr_sched
{
  uint32_t policy;
  uint64_t flags;
  int32_t nice;
  uint32_t priority;
  uint64_t runtime, deadline, period;
};

#define HR_MAX_NUMA_NODES 1024

struct hr_mempolicy
{
  int mode;                                           /* MPOL_* | MPOL_F_* */
  unsigned long nodes[HR_MAX_NUMA_NODES / (8 * sizeof (unsigned long))];
  unsigned long maxnode;
};

struct hr_proc_attrs
{
  bool has_sched, has_ioprio, has_personality, has_mempolicy, has_cpu_initial, has_cpu_final;
  struct hr_sched sched;
  int ioprio;
  unsigned long personality;
  struct hr_mempolicy mempolicy;
  cpu_set_t cpu_initial, cpu_final;
};

/* Lower the config's attributes (pure; errors name the field). */
int hr_proc_attrs_lower (const oci_process *proc, const oci_linux *lx, struct hr_proc_attrs *out, hr_err *err);
/* "0-3,7" -> bits.  Pure; used for cpu and NUMA node lists. */
int hr_parse_id_list (const char *s, unsigned long *bits, size_t nbits, hr_err *err);

int hr_apply_sched (const struct hr_sched *s, hr_err *err);
int hr_apply_ioprio (int ioprio, hr_err *err);
int hr_apply_personality (unsigned long persona, hr_err *err);
int hr_apply_mempolicy (const struct hr_mempolicy *m, hr_err *err);
int hr_apply_cpu_affinity (const cpu_set_t *set, hr_err *err);

#endif
