/* SPDX-License-Identifier: Apache-2.0 */
/* What every fuzz target checks of a function that returns an hr_err. */
#ifndef HYDRA_FUZZ_CHECK_H
#define HYDRA_FUZZ_CHECK_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "error.h"

/* Every failure carries a message; success leaves none behind. */
static inline void
fuzz_check (int r, hr_err *err)
{
  if ((r < 0) != (*err != NULL) || (*err && (*err)->msg == NULL))
    abort ();
  hr_error_free (err);
}

/* For the targets whose first byte picks the parser: the rest of the input
   as a NUL-terminated string (malloc'd; size must be at least 1). */
static inline char *
fuzz_rest_as_string (const uint8_t *data, size_t size)
{
  char *s = malloc (size);

  if (s == NULL)
    abort ();
  memcpy (s, data + 1, size - 1);
  s[size - 1] = '\0';
  return s;
}

#endif
