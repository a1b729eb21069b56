/* SPDX-License-Identifier: Apache-2.0 */
/* Compiled seccomp filters kept under the state root
   (<root>/.seccomp-cache/<key>), so that a start with a known profile loads
   BPF instead of running libseccomp (about 10 ms for Docker's default
   profile).  The key is a SHA-256 of everything the program depends on;
   an entry is trusted only whole and intact (header, length, checksum),
   anything else is compiled again and replaced.  No failure of the cache
   fails a create: it compiles instead.  docs/performance.md "The seccomp
   filter cache". */
#ifndef HYDRA_SECCOMP_CACHE_H
#define HYDRA_SECCOMP_CACHE_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "kernel/seccomp.h"
#include "oci.h"

#define HR_SECCOMP_KEY_LEN 32
/* A dot first: no container id starts with one (hr_validate_id), so it
   can never be a container's state dir, and `list` skips it. */
#define HR_SECCOMP_CACHE_DIR ".seccomp-cache"
/* At most this many entries are kept: a store beyond it removes the
   least recently used (the one with the oldest mtime; a hit touches it). */
#define HR_SECCOMP_CACHE_MAX 64

/* What the compiled program depends on besides the profile. */
struct hr_seccomp_env
{
  uint32_t native_arch;           /* seccomp_arch_native () */
  uint32_t lib_major, lib_minor, lib_micro; /* seccomp_version () */
  uint32_t api_level;             /* seccomp_api_get () */
  const char *build;              /* this runtime's commit: its lowering and stub */
};
void hr_seccomp_env_current (struct hr_seccomp_env *env);

/* The profile as lowered (default action and errno, architectures, every
   rule's action, errno, names and args in order, flags), with env, in one
   unambiguous byte string.  Pure; caller frees *out. */
void hr_seccomp_canonical (const oci_seccomp *s, const struct hr_seccomp_env *env, uint8_t **out, size_t *len);
/* SHA-256 of hr_seccomp_canonical.  Pure. */
void hr_seccomp_cache_key (const oci_seccomp *s, const struct hr_seccomp_env *env, uint8_t key[HR_SECCOMP_KEY_LEN]);

/* An entry: header (magic, format version, instruction count, the key,
   SHA-256 of the instructions), then the instructions. */
size_t hr_seccomp_entry_size (size_t ninsns);
/* Caller frees *out. */
void hr_seccomp_entry_format (const uint8_t key[HR_SECCOMP_KEY_LEN], const struct sock_filter *insns, size_t n,
                              uint8_t **out, size_t *len);
/* Check an entry read from disk (untrusted: fuzzed by
   tests/fuzz/fuzz-seccomp-cache).  0 and *insns (caller frees), *n, or -1
   with *why saying what is wrong.  Pure. */
int hr_seccomp_entry_parse (const uint8_t *buf, size_t len, const uint8_t key[HR_SECCOMP_KEY_LEN],
                            struct sock_filter **insns, size_t *n, const char **why);

/* The program to load for s: from the cache under the state root
   (rootfd), else compiled and stored.  Only a failure to compile fails. */
int hr_seccomp_prepare (const oci_seccomp *s, int rootfd, struct hr_seccomp_prog *out, hr_err *err);

#endif
