/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Whether this host lets CRIU's lazy pages work (checkpoint/criu.h): a
 * host property, not part of the conversation with CRIU (criu.c).
 */
#include <config.h>
#include "checkpoint/criu.h"
#include "cleanup.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

/* CRIU's page-pipe code sizes its lazy-pages pipe to 819 pages
   (page-pipe.c pipe_read_dest_init, PIPE_MAX_SIZE), which the kernel
   rounds to 4 MiB; above fs.pipe-max-size that needs CAP_SYS_RESOURCE.
   CRIU ignores the failure and its page server later splices into fd -1
   ("page-pipe: splice: -1: Bad file descriptor"): say why up front. */
#define CRIU_LAZY_PIPE_BYTES (4u << 20)

int
hr_criu_lazy_pages_usable (hr_err *err)
{
  _cleanup_free_ char *max = NULL, *status = NULL;
  size_t len = 0;
  unsigned long long cap_eff = 0;

  if (hr_read_file_at (AT_FDCWD, "/proc/self/status", 1 << 16, &status, &len, NULL) == 0)
    {
      const char *c = strstr (status, "\nCapEff:");
      if (c)
        cap_eff = strtoull (c + 8, NULL, 16);
    }
  if (cap_eff & (1ull << 24)) /* CAP_SYS_RESOURCE */
    return 0;
  if (hr_read_file_at (AT_FDCWD, "/proc/sys/fs/pipe-max-size", 64, &max, &len, NULL) < 0)
    return 0;
  unsigned long long v = strtoull (max, NULL, 10);
  if (v >= CRIU_LAZY_PIPE_BYTES)
    return 0;
  return hr_error_plain (err, ENOTSUP,
                         "lazy pages cannot work here: CRIU's page server needs a pipe of %u bytes, "
                         "fs.pipe-max-size is %llu and CAP_SYS_RESOURCE is not in our effective set "
                         "(raise it: sysctl fs.pipe-max-size=%u)",
                         CRIU_LAZY_PIPE_BYTES, v, CRIU_LAZY_PIPE_BYTES);
}
