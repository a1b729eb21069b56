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
/* Build the filter and load it into the calling process, stub first.
   Before loading, every fd from 3 + preserve_fds up is made close-on-exec
   (hr_fds_cloexec): after it, nothing may need a syscall the profile can
   deny, so the caller's hr_exec must be told (fds_sealed).  *notify_fd:
   the listener fd when the profile has SCMP_ACT_NOTIFY rules, else -1. */
int hr_seccomp_apply (const oci_seccomp *s, int preserve_fds, int *notify_fd, hr_err *err);

#endif
