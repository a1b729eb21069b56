/* SPDX-License-Identifier: Apache-2.0 */
/* linux.seccomp (runtime-spec config-linux.md "Seccomp") through
   libseccomp. */
#ifndef HYDRA_SECCOMP_H
#define HYDRA_SECCOMP_H

#include <seccomp.h>
#include "error.h"
#include "oci.h"

/* Refuse, before anything is created, what this runtime cannot honour
   (a notify listener); everything else is checked by libseccomp when the
   filter is built. */
int hr_seccomp_check (const oci_seccomp *s, hr_err *err);
/* Lower linux.seccomp into a libseccomp filter, without loading it (pure:
   no syscall of the process changes; fuzzed by tests/fuzz/fuzz-seccomp). */
int hr_seccomp_build (const oci_seccomp *s, scmp_filter_ctx *out, hr_err *err);
/* Build the filter and load it into the calling process. */
int hr_seccomp_apply (const oci_seccomp *s, hr_err *err);

#endif
