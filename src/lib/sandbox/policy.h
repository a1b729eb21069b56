/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Sandbox policies (issue 16, docs/sandbox.md): an operator's YAML or JSON
 * document saying what untrusted code in the container may do.  Parsed
 * here (libyaml), lowered by a pure function into the standard fields of
 * config.json where runtime-spec has them, and carried in one annotation
 * for what it cannot say (Landlock, the network allow-list, bandwidth,
 * audit), which the runtime enforces itself.
 */
#ifndef HYDRA_SANDBOX_POLICY_H
#define HYDRA_SANDBOX_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "cleanup.h"
#include "oci.h"

/* The annotation create/run read a policy from (engines pass it there);
   `spec --policy` writes it too, as hr_policy_to_json's canonical JSON. */
#define HR_POLICY_ANNOTATION "org.hydra-runc.sandbox.policy"
/* Where audit.file may point: the audit process runs as host root. */
#define HR_AUDIT_FILE_DIR "/var/log/hydra-runc"

enum hr_audit_level { HR_AUDIT_OFF, HR_AUDIT_BASIC, HR_AUDIT_DETAILED };

/* One entry of access_controls.allow_internet as a list: "host:port",
   "CIDR:port", "[v6]:port" or "[v6/len]:port"; port "*" = any. */
struct hr_policy_dest
{
  char *text;        /* as written, for messages and the audit stream */
  char *host;        /* a name to resolve at create (getaddrinfo), or NULL */
  int family;        /* AF_INET or AF_INET6 (0 while host is unresolved) */
  uint8_t addr[16];  /* network byte order; v4 in the first 4 bytes */
  uint8_t prefix;    /* 0..32 or 0..128 */
  uint16_t port;     /* host byte order; 0 = any port */
};

struct hr_policy
{
  char *name;
  /* resource_limits; 0 = not set */
  uint64_t cpu_millicores;   /* max_cpu_cores * 1000 (fractions allowed) */
  uint64_t memory_bytes;     /* max_memory_mb */
  int64_t pids;              /* max_pids */
  uint64_t network_kbit;     /* max_network_mbps * 1000 */
  /* access_controls */
  bool internet;             /* allow_internet: true (no restriction) */
  struct hr_policy_dest *allow;  /* allow_internet as a list (internet false) */
  size_t n_allow;
  bool sudo;                 /* allow_sudo */
  char **writable;           /* writable_paths: absolute, cleaned */
  size_t n_writable;
  char **blocked;            /* blocked_commands: bare names */
  size_t n_blocked;
  char **exec_paths;         /* executable_paths (ours): the read-only trees
                                execution is allowed from; a default list
                                when the policy has none */
  size_t n_exec;
  /* audit */
  enum hr_audit_level audit;
  bool monitor_files, monitor_network;
  char *audit_file;          /* audit.file: also write the stream there */
  uint64_t audit_max_bytes;  /* audit.max_size_mb: rotate past this */
  unsigned audit_keep;       /* audit.max_files: rotated files kept */
  /* require: all = refuse to run unless every rule is enforced */
  bool require_all;
};

/* Parse a policy (YAML or JSON; untrusted input: fuzzed).  Unknown keys,
   wrong types and out-of-range values are refused, naming the key. */
int hr_policy_parse (const char *text, size_t len, struct hr_policy **out, hr_err *err);
void hr_policy_free (struct hr_policy *p);
DEFINE_CLEANUP_FUNC (struct hr_policy, hr_policy_free)
/* Canonical JSON of a parsed policy (what the annotation carries, and
   what hr_policy_parse reads back to the same policy).  Caller frees. */
char *hr_policy_to_json (const struct hr_policy *p);
/* Pure: lower the policy into cfg's standard fields (docs/sandbox.md has
   the table), and set HR_POLICY_ANNOTATION.  Idempotent: a config that
   `spec --policy` wrote is unchanged by lowering it again at create.
   Refuses a config that contradicts the policy where it cannot be
   tightened (e.g. a writable path that is not a directory mount). */
int hr_policy_apply (const struct hr_policy *p, oci_config *cfg, hr_err *err);
/* The policy a config carries in its annotation: 0 and *out NULL when it
   has none. */
int hr_policy_from_config (const oci_config *cfg, struct hr_policy **out, hr_err *err);
/* create/run: the policy cfg carries (*out NULL and nothing changed when
   none), lowered into cfg; *data and *len (config.json as read) replaced by
   the lowered document, which the state dir keeps for exec and update. */
int hr_policy_lower_config (oci_config *cfg, char **data, size_t *len, struct hr_policy **out, hr_err *err);
/* Resolve the allow-list's host names (getaddrinfo): each becomes one
   entry per address, with its text and host kept.  Not pure: create's
   business, right before the allow-list is loaded. */
int hr_policy_resolve (struct hr_policy *p, hr_err *err);

#endif
