/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: what of a container's sd_notify datagram the relay
   passes to the host's NOTIFY_SOCKET (src/lib/lifecycle/notify_msg.c).
   The container is hostile and start runs as root: any bytes must give
   lines of the input that are not MAINPID, BARRIER or FD* and hold no
   NUL, each ended by a newline, within LEN + 1 bytes. */
#include <config.h>
#include "lifecycle/notify.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  bool ready;

  if (size > HR_NOTIFY_MSG_MAX)
    return 0;
  char *out = malloc (size + 1);
  if (out == NULL)
    abort ();
  size_t len = hr_notify_filter ((const char *) data, size, out, &ready);
  if (len > size + 1 || (len > 0 && out[len - 1] != '\n') || memchr (out, '\0', len))
    abort ();
  bool saw_ready = false;
  for (size_t start = 0; start < len;)
    {
      const char *nl = memchr (out + start, '\n', len - start);
      size_t n = (size_t) (nl - (out + start));
      const char *l = out + start;
      if (n == 0 || (n >= 8 && memcmp (l, "MAINPID=", 8) == 0) || (n >= 8 && memcmp (l, "BARRIER=", 8) == 0)
          || (n >= 7 && memcmp (l, "FDSTORE", 7) == 0) || (n >= 7 && memcmp (l, "FDNAME=", 7) == 0)
          || (n >= 7 && memcmp (l, "FDPOLL=", 7) == 0))
        abort ();
      if (n == 7 && memcmp (out + start, "READY=1", 7) == 0)
        saw_ready = true;
      start += n + 1;
    }
  if (saw_ready != ready)
    abort ();
  free (out);
  return 0;
}
