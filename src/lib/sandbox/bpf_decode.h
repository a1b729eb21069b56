/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Decoding of the sandbox's ring buffer records (bpf/sandbox_events.h)
 * into hr_audit_record, apart from the loader so that it is tested without
 * a kernel (tests/unit/test-sandbox-bpf.c).  Internal to src/lib/sandbox.
 */
#ifndef HYDRA_SANDBOX_BPF_DECODE_H
#define HYDRA_SANDBOX_BPF_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sandbox/sandbox_bpf.h"
#include "sandbox/bpf/sandbox_events.h"

#define HR_BPF_MAX_ARGV 64
/* a record's path: at most HR_EV_COMPS components and a user string */
#define HR_BPF_PATH_TEXT (HR_EV_COMPS * (HR_EV_COMP + 1) + HR_EV_PATH + 8)

struct hr_bpf_decoder
{
  bool detailed;                 /* keep argv */
  char **monitored;              /* file events only under these prefixes */
  size_t n_monitored;
  int64_t realtime_offset;       /* CLOCK_REALTIME - CLOCK_MONOTONIC, ns */
  /* what the last record's strings point into */
  char path[HR_BPF_PATH_TEXT];
  char args[HR_EV_ARGS + 1];
  const char *argv[HR_BPF_MAX_ARGV + 1];
  char what[HR_BPF_PATH_TEXT + 128];
};

/* Decode one record: 1 and *out set (its strings valid until the next
   call), 0 when it is not reported (a file outside the monitored
   prefixes), -1 when it is malformed. */
int hr_bpf_decode (struct hr_bpf_decoder *d, const void *data, size_t size, struct hr_audit_record *out);
/* Lexically clean an absolute path in place ("//", "/./", "x/.."). */
void hr_bpf_clean_path (char *p);

#endif
