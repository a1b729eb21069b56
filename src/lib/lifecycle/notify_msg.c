/* SPDX-License-Identifier: Apache-2.0 */
/* The pure part of the sd_notify relay (notify.h): what of a container's
   datagram reaches the service manager. */
#include <config.h>
#include "lifecycle/notify.h"

#include <string.h>

static bool
has_prefix (const char *line, size_t len, const char *prefix)
{
  size_t n = strlen (prefix);
  return len >= n && memcmp (line, prefix, n) == 0;
}

/* runc forwards READY alone and reports MAINPID itself; the other state
   lines (STATUS, ERRNO, RELOADING, ...) are passed on here too, except
   those that name a pid of the container's namespace or need an fd. */
static bool
dropped (const char *line, size_t len)
{
  return len == 0 || memchr (line, '\0', len) != NULL || has_prefix (line, len, "MAINPID=")
         || has_prefix (line, len, "BARRIER=") || has_prefix (line, len, "FDSTORE")
         || has_prefix (line, len, "FDNAME=") || has_prefix (line, len, "FDPOLL=");
}

size_t
hr_notify_filter (const char *in, size_t len, char *out, bool *ready)
{
  size_t o = 0, start = 0;

  *ready = false;
  while (start < len)
    {
      const char *nl = memchr (in + start, '\n', len - start);
      size_t end = nl ? (size_t) (nl - in) : len;
      const char *line = in + start;
      size_t n = end - start;
      if (!dropped (line, n))
        {
          if (n == 7 && memcmp (line, "READY=1", 7) == 0)
            *ready = true;
          memcpy (out + o, line, n);
          o += n;
          out[o++] = '\n';
        }
      start = end + 1;
    }
  return o;
}
