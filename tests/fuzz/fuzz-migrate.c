/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: what a migration peer sends (src/lib/migrate/proto.c:
   the header, then one message's payload), the address syntax of --to and
   --listen (channel.c), and CRIU's stats image the source reads
   (src/lib/checkpoint/images.c).  Input: a 4-byte type, then the payload. */
#include <config.h>
#include "checkpoint/checkpoint.h"
#include "migrate/channel.h"
#include "migrate/proto.h"

#include "check.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  hr_err err = NULL;
  struct hr_mig_msg m;
  struct hr_criu_dump_stats st;
  uint32_t type = 0, len = 0;

  if (size >= HR_MIG_HEADER)
    fuzz_check (hr_mig_decode_header (data, &type, &len, &err), &err);
  if (size >= 4)
    {
      uint32_t t = (uint32_t) data[0] | (uint32_t) data[1] << 8 | (uint32_t) data[2] << 16 | (uint32_t) data[3] << 24;
      int r = hr_mig_decode (t, data + 4, size - 4, &m, &err);
      fuzz_check (r, &err);
      if (r == 0)
        {
          /* What the target trusts afterwards. */
          if ((m.type == HR_MIG_DIR || m.type == HR_MIG_FILE || m.type == HR_MIG_RESTORE) && !hr_mig_name_ok (m.name))
            abort ();
          if (m.type == HR_MIG_DIR && m.parent[0] && !hr_mig_name_ok (m.parent))
            abort ();
          if (m.type == HR_MIG_DATA && (m.len == 0 || m.len > HR_MIG_PAYLOAD_MAX))
            abort ();
        }
    }
  fuzz_check (hr_criu_dump_stats_parse (data, size, &st, &err), &err);
  char *s = malloc (size + 1);
  memcpy (s, data, size);
  s[size] = '\0';
  struct sockaddr_storage sa;
  socklen_t salen;
  fuzz_check (hr_mig_parse_addr (s, &sa, &salen, &err), &err);
  free (s);
  return 0;
}
