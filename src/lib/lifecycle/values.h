/* SPDX-License-Identifier: Apache-2.0 */
/* Parsers of command-line values (values.c); hydra.h has the public ones
   (hr_parse_signal, hr_parse_user_spec, hr_validate_id). */
#ifndef HYDRA_VALUES_H
#define HYDRA_VALUES_H

#include <stddef.h>
#include <sys/types.h>
#include "error.h"

/* A uid or gid: decimal digits only, at most 4294967294 ((uid_t) -1 means
   "unchanged" to the kernel, never an id).  what names it in errors. */
int hr_parse_id (const char *s, size_t len, const char *what, unsigned *out, hr_err *err);

/* The home field of uid's first entry in /etc/passwd data (name:pw:uid:
   gid:gecos:home:shell), NULL without one; caller frees.  The data is the
   container's (hostile). */
char *hr_passwd_home (const char *data, size_t len, uid_t uid);

#endif
