/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the sandbox's ring buffer records decoded
   (src/lib/sandbox/bpf_decode.c hr_bpf_decode).  The records come from our
   own BPF programs, but their strings (paths, argv, names) are what the
   container's processes chose, copied by the kernel into fixed fields that
   need not be terminated: any bytes must decode within bounds to a record
   whose strings are terminated, or be refused.  The input is the record,
   zero-padded or cut to its size; its first byte also picks the decoder's
   settings. */
#include <config.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>
#include "sandbox/bpf_decode.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_str (const char *s, size_t max)
{
  if (s && strnlen (s, max + 1) > max)
    abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static struct hr_bpf_decoder d;
  static char *mon[] = { "/", "/workspace", "/tmp/" };
  struct hr_bpf_event *e = calloc (1, sizeof *e);
  struct hr_audit_record r;
  int ret;

  if (e == NULL)
    abort ();
  memcpy (e, data, size < sizeof *e ? size : sizeof *e);
  d.detailed = size > 0 && (data[0] & 1);
  d.monitored = mon + (size > 0 && (data[0] & 2) ? 1 : 0);
  d.n_monitored = size > 0 && (data[0] & 2) ? 2 : 1;
  ret = hr_bpf_decode (&d, e, sizeof *e, &r);
  if (ret < -1 || ret > 1)
    abort ();
  if (ret == 1)
    {
      check_str (r.path, HR_BPF_PATH_TEXT);
      check_str (r.what, HR_BPF_PATH_TEXT + 128);
      check_str (r.op, 16);
      check_str (r.syscall, 16);
      check_str (r.rule, 32);
      if (r.comm[sizeof r.comm - 1] != 0 || r.argc > HR_BPF_MAX_ARGV || (r.argc && r.argv[r.argc] != NULL))
        abort ();
      for (size_t i = 0; i < r.argc; i++)
        check_str (r.argv[i], HR_EV_ARGS);
      if (r.path && r.type == HR_AUDIT_FILE && r.path[0] != '/')
        abort ();
    }
  free (e);
  return 0;
}
