/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: descriptors.json of a checkpoint image
   (src/lib/checkpoint/descriptors.c).  What decodes must encode again and
   decode to the same strings. */
#include <config.h>
#include "checkpoint/checkpoint.h"

#include "check.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  hr_err err = NULL;
  char **fds = NULL, **again = NULL;
  size_t n = 0, m = 0;
  int r = hr_descriptors_decode ((const char *) data, size, &fds, &n, &err);

  fuzz_check (r, &err);
  if (r < 0)
    return 0;
  if (n == 3)
    {
      char *json = hr_descriptors_encode (fds, n);
      if (hr_descriptors_decode (json, strlen (json), &again, &m, &err) < 0 || m != n)
        abort ();
      for (size_t i = 0; i < n; i++)
        if (strcmp (fds[i], again[i]) != 0)
          abort ();
      for (size_t i = 0; i < m; i++)
        free (again[i]);
      free (again);
      free (json);
    }
  for (size_t i = 0; i < n; i++)
    free (fds[i]);
  free (fds);
  return 0;
}
