/* SPDX-License-Identifier: Apache-2.0 */
/* Parsers of command-line values (values.c); hydra.h has the public ones
   (hr_parse_signal, hr_parse_user_spec, hr_validate_id). */
#ifndef HYDRA_VALUES_H
#define HYDRA_VALUES_H

#include <stddef.h>
#include "error.h"

/* A uid or gid: decimal digits only, at most 4294967294 ((uid_t) -1 means
   "unchanged" to the kernel, never an id).  what names it in errors. */
int hr_parse_id (const char *s, size_t len, const char *what, unsigned *out, hr_err *err);

#endif
