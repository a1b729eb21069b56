/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: checkpoint's and restore's value checks
   (src/lib/checkpoint/criu_opts.c), which the engines' command lines reach:
   --page-server, --manage-cgroups-mode, --empty-ns.  The first byte picks
   the check; the rest is the input (for --empty-ns, NUL-separated
   entries). */
#include <config.h>
#include "checkpoint/criu_opts.h"

#include "check.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  hr_err err = NULL;
  char *s;

  if (size < 1)
    return 0;
  s = fuzz_rest_as_string (data, size);
  switch (data[0] % 3)
    {
    case 0:
      {
        int r = hr_criu_parse_page_server (s, NULL, NULL, &err);
        /* what passes has a colon, and a port after it */
        if (r == 0 && (strrchr (s, ':') == NULL || strrchr (s, ':')[1] == '\0'))
          abort ();
        fuzz_check (r, &err);
        break;
      }
    case 1:
      fuzz_check (hr_criu_check_manage_cgroups_mode (s, &err), &err);
      break;
    default:
      {
        /* the NUL-separated entries of the input: one more than its NULs */
        size_t n = 1;
        for (size_t i = 0; i + 1 < size; i++)
          n += s[i] == '\0';
        char **list = calloc (n + 1, sizeof *list);
        char *p = s;
        for (size_t i = 0; i < n; i++, p += strlen (p) + 1)
          list[i] = p;
        int r = hr_criu_check_empty_ns (list, &err);
        for (size_t i = 0; r == 0 && i < n; i++)
          if (strcmp (list[i], "network") != 0)
            abort ();
        fuzz_check (r, &err);
        free (list);
        break;
      }
    }
  free (s);
  return 0;
}
