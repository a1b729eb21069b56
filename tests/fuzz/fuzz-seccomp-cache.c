/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the seccomp filter cache's entry parser
   (src/lib/kernel/seccomp_cache.c hr_seccomp_entry_parse).  Entries are
   read from the state root, which only root writes, but a torn, stale or
   tampered file must end in a clean rejection, never in a program other
   than the one that was stored.  The first input byte chooses a mode: odd
   bytes have the entry's checksum fixed up first (when the input is long
   enough), so that the checks after it are reached too; the rest is the
   entry, for the key 0x11 * 32 (the seed corpus's). */
#include <config.h>
#include "kernel/seccomp_cache.h"

#include <nettle/sha2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define CHECK(c)  \
  do              \
    {             \
      if (!(c))   \
        abort (); \
    }             \
  while (0)
#define HEADER (8 + 4 + 4 + HR_SECCOMP_KEY_LEN + SHA256_DIGEST_SIZE)

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  uint8_t key[HR_SECCOMP_KEY_LEN];
  struct sock_filter *insns = NULL;
  size_t n = 12345;
  const char *why = NULL;

  if (size < 1)
    return 0;
  memset (key, 0x11, sizeof (key));
  uint8_t *buf = malloc (size);
  memcpy (buf, data + 1, size - 1);
  size_t len = size - 1;
  if ((data[0] & 1) && len >= HEADER)
    {
      struct sha256_ctx h;
      sha256_init (&h);
      sha256_update (&h, len - HEADER, buf + HEADER);
      sha256_digest (&h, SHA256_DIGEST_SIZE, buf + 16 + HR_SECCOMP_KEY_LEN);
    }
  int r = hr_seccomp_entry_parse (buf, len, key, &insns, &n, &why);
  if (r == 0)
    {
      /* Accepted: a program the kernel could take, exactly what the
         entry holds, and what formatting it again gives back. */
      uint8_t *again;
      size_t alen;
      CHECK (insns != NULL && n >= 1 && n <= BPF_MAXINSNS && why == NULL);
      CHECK (len == hr_seccomp_entry_size (n));
      hr_seccomp_entry_format (key, insns, n, &again, &alen);
      CHECK (alen == len && memcmp (again, buf, len) == 0);
      free (again);
    }
  else
    CHECK (r == -1 && insns == NULL && n == 0 && why != NULL);
  free (insns);
  free (buf);
  return 0;
}
