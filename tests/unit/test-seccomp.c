/* SPDX-License-Identifier: Apache-2.0 */
/* runc's ENOSYS stub (src/lib/kernel/seccomp.c hr_seccomp_enosys_stub), run on
   sample syscalls by a small classic BPF interpreter: what each
   architecture's calls get, including the ABIs this host cannot run (x32,
   i386, s390x).  Pure: nothing is loaded. */
#include <config.h>
#include "tap.h"
#include "oci.h"
#include "kernel/seccomp.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROGRAM 0xffffffffu /* fell through to libseccomp's program */

/* The stub's instruction set: ld [k], jeq/jgt/jset #k, ja, ret #k. */
static uint32_t
run (const struct sock_filter *f, size_t n, uint32_t arch, uint32_t nr)
{
  uint32_t a = 0;
  for (size_t pc = 0; pc < n; pc++)
    {
      const struct sock_filter *i = &f[pc];
      switch (i->code)
        {
        case BPF_LD | BPF_W | BPF_ABS:
          a = i->k == offsetof (struct seccomp_data, arch) ? arch : nr;
          break;
        case BPF_JMP | BPF_JEQ | BPF_K:
          pc += a == i->k ? i->jt : i->jf;
          break;
        case BPF_JMP | BPF_JGT | BPF_K:
          pc += a > i->k ? i->jt : i->jf;
          break;
        case BPF_JMP | BPF_JSET | BPF_K:
          pc += (a & i->k) ? i->jt : i->jf;
          break;
        case BPF_JMP | BPF_JA:
          pc += i->k;
          break;
        case BPF_RET | BPF_K:
          return i->k;
        default:
          return 0; /* not an instruction the stub uses */
        }
    }
  return PROGRAM;
}

static oci_config *cfg;

static const oci_seccomp *
profile (const char *json)
{
  hr_err err = NULL;
  char *doc = NULL;
  oci_config_free (cfg);
  cfg = NULL;
  if (asprintf (&doc, "{\"ociVersion\":\"1.3.0\",\"root\":{\"path\":\"r\"},\"linux\":{\"seccomp\":%s}}", json) < 0)
    abort ();
  if (oci_config_parse_data (doc, strlen (doc), "config.json", &cfg, &err) < 0)
    {
      printf ("# %s\n", err->msg);
      hr_error_free (&err);
    }
  free (doc);
  return cfg ? cfg->linux_->seccomp : NULL;
}

#define ENOSYS_RET (SECCOMP_RET_ERRNO | ENOSYS)
#define X32 0x40000000u

int
main (void)
{
  struct sock_filter *f = NULL;
  size_t n = 0;
  hr_err err = NULL;

  /* Names up to statx: x86_64 332, x32 332|X32, i386 383. */
  const oci_seccomp *s = profile ("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_64\","
                                  "\"SCMP_ARCH_X32\",\"SCMP_ARCH_X86\",\"SCMP_ARCH_S390X\"],"
                                  "\"syscalls\":[{\"names\":[\"read\",\"statx\"],\"action\":\"SCMP_ACT_ALLOW\"}]}");
  ok (s && hr_seccomp_enosys_stub (s, &f, &n, &err) == 0 && n > 0, "stub for an ERRNO profile");
  is_int (run (f, n, AUDIT_ARCH_X86_64, 436), ENOSYS_RET, "x86_64 close_range: ENOSYS");
  is_int (run (f, n, AUDIT_ARCH_X86_64, 332), PROGRAM, "x86_64 statx: the profile decides");
  is_int (run (f, n, AUDIT_ARCH_X86_64, 140), PROGRAM, "x86_64 getpriority (older): the profile decides");
  is_int (run (f, n, AUDIT_ARCH_X86_64, X32 | 436), ENOSYS_RET, "x32 close_range: ENOSYS");
  is_int (run (f, n, AUDIT_ARCH_X86_64, X32 | 332), PROGRAM, "x32 statx: the profile decides");
  is_int (run (f, n, AUDIT_ARCH_I386, 436), ENOSYS_RET, "i386 close_range: ENOSYS");
  is_int (run (f, n, AUDIT_ARCH_I386, 383), PROGRAM, "i386 statx: the profile decides");
  is_int (run (f, n, AUDIT_ARCH_S390X, 0), ENOSYS_RET, "s390x multiplexer (unknown syscall): ENOSYS");
  is_int (run (f, n, AUDIT_ARCH_AARCH64, 1000), PROGRAM, "an architecture not in the profile: the program's check");
  free (f);
  f = NULL;

  /* x86_64 without x32: x32 calls are left to libseccomp's arch check. */
  s = profile ("{\"defaultAction\":\"SCMP_ACT_KILL\",\"architectures\":[\"SCMP_ARCH_X86_64\"],"
               "\"syscalls\":[{\"names\":[\"statx\"],\"action\":\"SCMP_ACT_ALLOW\"}]}");
  ok (s && hr_seccomp_enosys_stub (s, &f, &n, &err) == 0 && n > 0, "stub for a KILL profile");
  is_int (run (f, n, AUDIT_ARCH_X86_64, 435), ENOSYS_RET, "x86_64 clone3: ENOSYS, not killed");
  is_int (run (f, n, AUDIT_ARCH_X86_64, X32 | 1), PROGRAM, "x32 call without x32 in the profile: the program");
  free (f);
  f = NULL;

  /* No architectures: the native one. */
  s = profile ("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"statx\"],\"action\":\"SCMP_ACT_ALLOW\"}]}");
  ok (s && hr_seccomp_enosys_stub (s, &f, &n, &err) == 0 && n > 0, "stub without architectures");
  is_int (run (f, n, AUDIT_ARCH_X86_64, 437), ENOSYS_RET, "native openat2: ENOSYS");
  free (f);
  f = NULL;

  /* No stub where the default lets calls through or is ENOSYS already. */
  const char *none[] = {
    "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"statx\"],\"action\":\"SCMP_ACT_ERRNO\"}]}",
    "{\"defaultAction\":\"SCMP_ACT_LOG\",\"syscalls\":[{\"names\":[\"statx\"],\"action\":\"SCMP_ACT_ERRNO\"}]}",
    "{\"defaultAction\":\"SCMP_ACT_TRACE\",\"syscalls\":[{\"names\":[\"statx\"],\"action\":\"SCMP_ACT_ERRNO\"}]}",
    "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38,\"syscalls\":[{\"names\":[\"statx\"],\"action\":\"SCMP_ACT_ALLOW\"}]}",
    "{\"defaultAction\":\"SCMP_ACT_ERRNO\"}",
  };
  for (size_t i = 0; i < sizeof (none) / sizeof (none[0]); i++)
    {
      s = profile (none[i]);
      ok (s && hr_seccomp_enosys_stub (s, &f, &n, &err) == 0 && n == 0 && f == NULL, "no stub: %s", none[i]);
    }
  oci_config_free (cfg);
  return tap_done ();
}
