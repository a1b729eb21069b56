/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: a seccomp profile (linux.seccomp of config.json, the
   document engines hand down from users), parsed and lowered into a
   libseccomp filter the way create and exec do, without loading it, and
   the ENOSYS stub put in front of it. */
#include <config.h>
#include "oci.h"
#include "kernel/seccomp.h"
#include "util.h"

#include "check.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);


int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static const char head[] = "{\"ociVersion\":\"1.3.0\",\"root\":{\"path\":\"rootfs\"},\"linux\":{\"seccomp\":";
  oci_config *cfg = NULL;
  hr_err err = NULL;

  if (size > 1 << 20)
    return 0;
  /* The input is the profile; the config around it is fixed. */
  size_t len = sizeof (head) - 1 + size + 2;
  char *doc = malloc (len);
  memcpy (doc, head, sizeof (head) - 1);
  memcpy (doc + sizeof (head) - 1, data, size);
  memcpy (doc + sizeof (head) - 1 + size, "}}", 2);
  int r = oci_config_parse_data (doc, len, "config.json", &cfg, &err);
  free (doc);
  fuzz_check (r, &err);
  if (r < 0 || cfg->linux_ == NULL || cfg->linux_->seccomp == NULL)
    {
      oci_config_free (cfg);
      return 0;
    }
  r = hr_seccomp_check (cfg->linux_->seccomp, &err);
  fuzz_check (r, &err);
  if (r == 0)
    {
      scmp_filter_ctx ctx = NULL;
      r = hr_seccomp_build (cfg->linux_->seccomp, &ctx, &err);
      if (r == 0 && ctx == NULL)
        abort ();
      fuzz_check (r, &err);
      if (ctx)
        seccomp_release (ctx);
    }
  if (r == 0)
    {
      /* runc's ENOSYS stub: every jump lands inside the stub or exactly
         on the first instruction of libseccomp's program after it. */
      struct sock_filter *stub = NULL;
      size_t n = 0;
      r = hr_seccomp_enosys_stub (cfg->linux_->seccomp, &stub, &n, &err);
      fuzz_check (r, &err);
      for (size_t i = 0; i < n; i++)
        {
          const struct sock_filter *f = &stub[i];
          if (BPF_CLASS (f->code) == BPF_JMP && BPF_OP (f->code) == BPF_JA ? i + 1 + f->k != n
              : BPF_CLASS (f->code) == BPF_JMP ? i + 1 + f->jt > n || i + 1 + f->jf > n
              : i + 1 == n && BPF_CLASS (f->code) != BPF_RET)
            abort ();
        }
      free (stub);
    }
  oci_config_free (cfg);
  return 0;
}
