/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cgroup v2 device filter: a BPF_PROG_TYPE_CGROUP_DEVICE program generated
 * from the reduced device rules (devices_cgroup.h), as runc's devicefilter
 * and crun's ebpf.c do, then loaded and attached with libbpf.
 *
 * Program shape (context: struct bpf_cgroup_dev_ctx {u32 access_type;
 * u32 major; u32 minor;}):
 *   prologue (6 insns)  r2 = type (access_type & 0xffff)
 *                       r3 = access (access_type >> 16)
 *                       r4 = major, r5 = minor
 *   one block per exception, first match wins (exceptions never overlap in
 *   verdict: they all say !default):
 *     [type != T -> next]              1 insn  unless the type is 'a'
 *     [r1 = r3; r1 &= A; r1 != r3 -> next]  3 insns unless A is rwm
 *     [major != M -> next]             1 insn  unless M is a wildcard
 *     [minor != m -> next]             1 insn  unless m is a wildcard
 *     r0 = verdict; exit               2 insns
 *   epilogue: r0 = default; exit       2 insns
 */
#ifndef HYDRA_EBPF_H
#define HYDRA_EBPF_H

#include <linux/bpf.h>
#include <stddef.h>
#include "cleanup.h"
#include "cgroups/devices_cgroup.h"
#include "error.h"

struct hr_bpf_prog
{
  struct bpf_insn *insns;
  size_t len;
};

void hr_bpf_prog_free (struct hr_bpf_prog *p);
DEFINE_CLEANUP_FUNC (struct hr_bpf_prog, hr_bpf_prog_free)

/* Pure: the device filter of a reduced state.  Never fails (allocation
   aborts). */
struct hr_bpf_prog *hr_ebpf_devices_prog (const struct hr_dev_state *s);

/* Load the program for `s`, attach it to the cgroup2 directory `dir` with
   BPF_F_ALLOW_MULTI, then detach every other device program attached
   there (the ones a previous create/update attached). */
int hr_ebpf_set_devices (const char *dir, const struct hr_dev_state *s, hr_err *err);

#endif
