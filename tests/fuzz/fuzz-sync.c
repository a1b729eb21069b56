/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the decoder of the runtime <-> init protocol
   (src/lib/state/sync.c hr_msg_decode).  The peer may be a compromised container
   init talking to the runtime as root, so any packet sequence must end in
   a whole, checked message or a clean protocol error.  The input is a list
   of operations, each feeding one packet:
     op % 3 == 0: a packet of the next 2-byte (little-endian) length, taken
                  from the input;
     op % 3 == 1: a packet of exactly the length the decoder wants next,
                  filled with the next byte (reaches the end of large
                  payloads in few operations);
     op % 3 == 2: like 1, with the length off by (next byte - 128). */
#include <config.h>
#include "state/sync.h"

#include "check.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_message (const struct hr_msg *m, int r)
{
  if (r == 1)
    {
      /* whole: NUL-terminated, of a known type, text without NUL */
      if (m->partial || m->got != m->len || m->data[m->len] != '\0' || strcmp (hr_msg_name (m->type), "unknown") == 0)
        abort ();
      if (m->len > 0 && strlen (m->data) != m->len)
        abort ();
      if (m->len > HR_MSG_LIMIT)
        abort ();
    }
  else if (r == 0)
    {
      if (!m->partial || m->got >= m->len)
        abort ();
    }
  else if (m->partial || m->data != m->none)
    abort (); /* an error leaves nothing half-received behind */
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct hr_msg *m = hr_msg_alloc ();
  static char pkt[HR_MSG_CHUNK + 256];
  size_t i = 0, ops = 0;

  while (i < size && ops++ < 4096)
    {
      uint8_t op = data[i++];
      const void *p = pkt;
      size_t n;
      hr_err err = NULL;

      if (op % 3 == 0)
        {
          if (i + 2 > size)
            break;
          n = data[i] | (size_t) data[i + 1] << 8;
          i += 2;
          if (n > size - i)
            n = size - i;
          p = data + i;
          i += n;
        }
      else
        {
          uint8_t fill = i < size ? data[i++] : 0;
          n = hr_msg_next_len (m);
          if (op % 3 == 2)
            {
              long d = (long) (i < size ? data[i++] : 128) - 128;
              n = (long) n + d < 0 ? 0 : (size_t) ((long) n + d);
              if (n > sizeof (pkt))
                n = sizeof (pkt);
            }
          memset (pkt, fill, n);
        }
      int r = hr_msg_decode (m, p, n, &err);
      if (r != 0 && r != 1 && r != -1)
        abort ();
      check_message (m, r);
      fuzz_check (r < 0 ? -1 : 0, &err);
    }
  hr_msg_free (m);
  return 0;
}
