/* SPDX-License-Identifier: Apache-2.0 */
/* linux.seccomp (runtime-spec config-linux.md "Seccomp") through
   libseccomp. */
#ifndef HYDRA_SECCOMP_H
#define HYDRA_SECCOMP_H

#include <linux/filter.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include "error.h"
#include "oci.h"

/* Refuse, before anything is created, what cannot work (SCMP_ACT_NOTIFY
   as default, on the hand-over's syscalls, or without listenerPath);
   everything else is checked by libseccomp when the filter is built. */
int hr_seccomp_check (const oci_seccomp *s, hr_err *err);
/* Whether any rule is SCMP_ACT_NOTIFY (the filter gets a listener fd). */
bool hr_seccomp_has_notify (const oci_seccomp *s);
/* Lower linux.seccomp into a libseccomp filter, without loading it (pure:
   no syscall of the process changes; fuzzed by tests/fuzz/fuzz-seccomp). */
int hr_seccomp_build (const oci_seccomp *s, scmp_filter_ctx *out, hr_err *err);
/* Whether the profile's default action gets runc's ENOSYS stub (not for
   ALLOW, LOG, TRACE, nor ERRNO(ENOSYS)). */
bool hr_seccomp_wants_enosys_stub (const oci_seccomp *s);
/* The BPF prefix that returns ENOSYS for syscalls newer than any the
   profile names, per architecture (runc's patchbpf); *out is NULL and
   *len 0 when the profile gets none.  Pure; caller frees *out. */
int hr_seccomp_enosys_stub (const oci_seccomp *s, struct sock_filter **out, size_t *len, hr_err *err);
/* A filter ready to load: the stub, then libseccomp's program, and the
   flags for seccomp(2). */
struct hr_seccomp_prog
{
  struct sock_filter *insns;
  size_t len;
  unsigned flags; /* SECCOMP_FILTER_FLAG_* */
};
void hr_seccomp_prog_clear (struct hr_seccomp_prog *p);
/* The SECCOMP_FILTER_FLAG_* a profile loads with (its flags, and
   NEW_LISTENER with SCMP_ACT_NOTIFY rules).  Pure. */
unsigned hr_seccomp_filter_flags (const oci_seccomp *s);
/* Build, add the stub, export: what hr_seccomp_apply loads, without
   loading it. */
int hr_seccomp_compile (const oci_seccomp *s, struct hr_seccomp_prog *out, hr_err *err);
/* Load a compiled (or cached, seccomp_cache.h) program into the calling
   process, with its flags; fds as for hr_seccomp_apply. */
int hr_seccomp_load_prog (const struct hr_seccomp_prog *p, int preserve_fds, int *notify_fd, hr_err *err);
/* Build the filter and load it into the calling process, stub first.
   Before loading, every fd from 3 + preserve_fds up is made close-on-exec
   (hr_fds_cloexec): after it, nothing may need a syscall the profile can
   deny, so the caller's hr_exec must be told (fds_sealed).  *notify_fd:
   the listener fd when the profile has SCMP_ACT_NOTIFY rules, else -1. */
int hr_seccomp_apply (const oci_seccomp *s, int preserve_fds, int *notify_fd, hr_err *err);

#endif
