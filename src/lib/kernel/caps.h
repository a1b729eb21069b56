/* SPDX-License-Identifier: Apache-2.0 */
/* Capabilities (runtime-spec config.md "capabilities", capabilities(7)). */
#ifndef HYDRA_CAPS_H
#define HYDRA_CAPS_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"

/* The five sets as bit masks (bit n: capability n). */
struct hr_caps
{
  uint64_t bounding, effective, inheritable, permitted, ambient;
};

/* Names ("CAP_KILL") to a bit mask.  A well-formed name this kernel or
   libcap does not know is left out with a warning (runc does so); a
   malformed one is refused. */
int hr_caps_parse (char *const *names, size_t n, const char *set, uint64_t *mask, hr_err *err);
/* Names of every capability this kernel and libcap know, NULL-terminated;
   caller frees with strv_free. */
char **hr_caps_known (void);

/* Drop from the bounding set everything not in caps->bounding.  Needs
   CAP_SETPCAP, so it runs before the uid change. */
int hr_caps_apply_bounding (const struct hr_caps *caps, hr_err *err);
/* Set effective/permitted/inheritable, then raise the ambient ones. */
int hr_caps_apply (const struct hr_caps *caps, hr_err *err);

#endif
