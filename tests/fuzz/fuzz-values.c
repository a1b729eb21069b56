/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the parsers of values that cross a trust boundary on
   the command line or in config strings: signal names, exec --user specs,
   container ids, mount option lists, cpu/NUMA node lists, the container's
   /etc/passwd (HOME).  The first byte
   picks the parser; the rest is the input. */
#include <config.h>
#include "hydra.h"
#include "kernel/mount_opts.h"
#include "kernel/process_attrs.h"
#include "lifecycle/values.h"

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
  switch (data[0] % 6)
    {
    case 0:
      {
        int sig = 0;
        int r = hr_parse_signal (s, &sig, &err);
        if (r == 0 && (sig < 0 || sig > 64))
          abort ();
        fuzz_check (r, &err);
        break;
      }
    case 1:
      {
        unsigned uid = 0, gid = 0;
        bool has_gid = false;
        fuzz_check (hr_parse_user_spec (s, &uid, &gid, &has_gid, &err), &err);
        break;
      }
    case 2:
      {
        int r = hr_validate_id (s, &err);
        /* A valid id never names a path. */
        if (r == 0 && (strchr (s, '/') || strcmp (s, "..") == 0 || strcmp (s, ".") == 0))
          abort ();
        fuzz_check (r, &err);
        break;
      }
    case 3:
      {
        char *opts[64];
        size_t n = 0;
        for (char *save = NULL, *t = strtok_r (s, ",", &save); t && n < 64; t = strtok_r (NULL, ",", &save))
          opts[n++] = t;
        struct hr_mount_opts m;
        int r = hr_mount_opts_parse (opts, n, &m, &err);
        if (r == 0)
          hr_mount_opts_clear (&m);
        fuzz_check (r, &err);
        break;
      }
    case 4:
      {
        unsigned long bits[HR_MAX_NUMA_NODES / (8 * sizeof (unsigned long))];
        fuzz_check (hr_parse_id_list (s, bits, HR_MAX_NUMA_NODES, &err), &err);
        break;
      }
    case 5:
      {
        /* a container's /etc/passwd (not NUL-terminated, may hold NULs) */
        char *home = hr_passwd_home ((const char *) data + 1, size - 1, (uid_t) (data[0] / 6));
        if (home && (strchr (home, '\n') || strchr (home, ':')))
          abort ();
        free (home);
        break;
      }
    }
  free (s);
  return 0;
}
