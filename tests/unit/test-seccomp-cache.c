/* SPDX-License-Identifier: Apache-2.0 */
/* The seccomp filter cache's pure parts (src/lib/kernel/seccomp_cache.c):
   the key changes with every field libseccomp gets and with the
   environment, and an entry is accepted only whole and intact. */
#include <config.h>
#include "tap.h"
#include "oci.h"
#include "kernel/seccomp_cache.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static oci_config *
parse (const char *json)
{
  hr_err err = NULL;
  oci_config *cfg = NULL;
  char *doc = NULL;
  if (asprintf (&doc, "{\"ociVersion\":\"1.3.0\",\"root\":{\"path\":\"r\"},\"linux\":{\"seccomp\":%s}}", json) < 0)
    abort ();
  if (oci_config_parse_data (doc, strlen (doc), "config.json", &cfg, &err) < 0)
    {
      printf ("# %s: %s\n", json, err->msg);
      hr_error_free (&err);
      abort ();
    }
  free (doc);
  return cfg;
}

static const struct hr_seccomp_env env0 = { 0xc000003e, 2, 5, 4, 6, "abc" };

static void
key_of (const char *json, const struct hr_seccomp_env *env, uint8_t key[HR_SECCOMP_KEY_LEN])
{
  oci_config *cfg = parse (json);
  hr_seccomp_cache_key (cfg->linux_->seccomp, env, key);
  oci_config_free (cfg);
}

#define BASE                                                                                                    \
  "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,\"architectures\":[\"SCMP_ARCH_X86_64\","       \
  "\"SCMP_ARCH_X86\"],\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"],\"syscalls\":[{\"names\":[\"read\",\"write\"],"   \
  "\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":5,"   \
  "\"args\":[{\"index\":0,\"value\":8,\"valueTwo\":3,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}"

/* Each differs from BASE in one field. */
static const char *const variants[] = {
  /* default action, its errno, present or not */
  "{\"defaultAction\":\"SCMP_ACT_KILL\",\"defaultErrnoRet\":1,\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\"],\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"],\"syscalls\":[{\"names\":[\"read\",\"write\"],\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":5,\"args\":[{\"index\":0,\"value\":8,\"valueTwo\":3,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}",
  "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":2,\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\"],\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"],\"syscalls\":[{\"names\":[\"read\",\"write\"],\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":5,\"args\":[{\"index\":0,\"value\":8,\"valueTwo\":3,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}",
  "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\"],\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"],\"syscalls\":[{\"names\":[\"read\",\"write\"],\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":5,\"args\":[{\"index\":0,\"value\":8,\"valueTwo\":3,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}",
  /* architectures: order, set */
  "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,\"architectures\":[\"SCMP_ARCH_X86\",\"SCMP_ARCH_X86_64\"],\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"],\"syscalls\":[{\"names\":[\"read\",\"write\"],\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":5,\"args\":[{\"index\":0,\"value\":8,\"valueTwo\":3,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}",
  "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,\"architectures\":[\"SCMP_ARCH_X86_64\"],\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"],\"syscalls\":[{\"names\":[\"read\",\"write\"],\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":5,\"args\":[{\"index\":0,\"value\":8,\"valueTwo\":3,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}",
  /* flags */
  "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\"],\"flags\":[\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"],\"syscalls\":[{\"names\":[\"read\",\"write\"],\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":5,\"args\":[{\"index\":0,\"value\":8,\"valueTwo\":3,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}",
  "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\"],\"syscalls\":[{\"names\":[\"read\",\"write\"],\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":5,\"args\":[{\"index\":0,\"value\":8,\"valueTwo\":3,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}",
  /* names: order, one more, one renamed */
  "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\"],\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"],\"syscalls\":[{\"names\":[\"write\",\"read\"],\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":5,\"args\":[{\"index\":0,\"value\":8,\"valueTwo\":3,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}",
  "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\"],\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"],\"syscalls\":[{\"names\":[\"read\",\"write\",\"close\"],\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":5,\"args\":[{\"index\":0,\"value\":8,\"valueTwo\":3,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}",
  "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\"],\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"],\"syscalls\":[{\"names\":[\"readwrite\"],\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":5,\"args\":[{\"index\":0,\"value\":8,\"valueTwo\":3,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}",
  /* a rule's action, errno */
  "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\"],\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"],\"syscalls\":[{\"names\":[\"read\",\"write\"],\"action\":\"SCMP_ACT_LOG\"},{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":5,\"args\":[{\"index\":0,\"value\":8,\"valueTwo\":3,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}",
  "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\"],\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"],\"syscalls\":[{\"names\":[\"read\",\"write\"],\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":6,\"args\":[{\"index\":0,\"value\":8,\"valueTwo\":3,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}",
  "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\"],\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"],\"syscalls\":[{\"names\":[\"read\",\"write\"],\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":8,\"valueTwo\":3,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}",
  /* rule order */
  "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\"],\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"],\"syscalls\":[{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":5,\"args\":[{\"index\":0,\"value\":8,\"valueTwo\":3,\"op\":\"SCMP_CMP_MASKED_EQ\"}]},{\"names\":[\"read\",\"write\"],\"action\":\"SCMP_ACT_ALLOW\"}]}",
  /* args: index, value, valueTwo (value, absent), op, none */
  "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\"],\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"],\"syscalls\":[{\"names\":[\"read\",\"write\"],\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":5,\"args\":[{\"index\":1,\"value\":8,\"valueTwo\":3,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}",
  "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\"],\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"],\"syscalls\":[{\"names\":[\"read\",\"write\"],\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":5,\"args\":[{\"index\":0,\"value\":9,\"valueTwo\":3,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}",
  "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\"],\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"],\"syscalls\":[{\"names\":[\"read\",\"write\"],\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":5,\"args\":[{\"index\":0,\"value\":8,\"valueTwo\":4,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}",
  "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\"],\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"],\"syscalls\":[{\"names\":[\"read\",\"write\"],\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":5,\"args\":[{\"index\":0,\"value\":8,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}",
  "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\"],\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"],\"syscalls\":[{\"names\":[\"read\",\"write\"],\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":5,\"args\":[{\"index\":0,\"value\":8,\"valueTwo\":3,\"op\":\"SCMP_CMP_EQ\"}]}]}",
  "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\"],\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"],\"syscalls\":[{\"names\":[\"read\",\"write\"],\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":5}]}",
};

int
main (void)
{
  uint8_t k0[HR_SECCOMP_KEY_LEN], k1[HR_SECCOMP_KEY_LEN], keys[sizeof (variants) / sizeof (variants[0])][HR_SECCOMP_KEY_LEN];
  size_t nv = sizeof (variants) / sizeof (variants[0]);

  /* --- the key --- */
  key_of (BASE, &env0, k0);
  key_of (BASE, &env0, k1);
  ok (memcmp (k0, k1, sizeof (k0)) == 0, "the same profile gives the same key");
  /* Fields the program does not depend on do not change it. */
  key_of ("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,\"listenerPath\":\"/x\",\"listenerMetadata\":\"m\","
          "\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\"],\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"],"
          "\"syscalls\":[{\"names\":[\"read\",\"write\"],\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[\"personality\"],"
          "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":5,\"args\":[{\"index\":0,\"value\":8,\"valueTwo\":3,"
          "\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}",
          &env0, k1);
  ok (memcmp (k0, k1, sizeof (k0)) == 0, "listenerPath and listenerMetadata do not change the key");
  for (size_t i = 0; i < nv; i++)
    {
      key_of (variants[i], &env0, keys[i]);
      ok (memcmp (k0, keys[i], sizeof (k0)) != 0, "variant %zu changes the key", i);
    }
  bool distinct = true;
  for (size_t i = 0; i < nv; i++)
    for (size_t j = i + 1; j < nv; j++)
      distinct &= memcmp (keys[i], keys[j], sizeof (k0)) != 0;
  ok (distinct, "every variant has its own key");

  /* The environment. */
  struct hr_seccomp_env e;
  const char *what[] = { "native arch", "libseccomp major", "minor", "micro", "API level", "build" };
  for (int f = 0; f < 6; f++)
    {
      e = env0;
      switch (f)
        {
        case 0: e.native_arch = 0x40000003; break;
        case 1: e.lib_major = 3; break;
        case 2: e.lib_minor = 6; break;
        case 3: e.lib_micro = 5; break;
        case 4: e.api_level = 7; break;
        case 5: e.build = "abd"; break;
        }
      key_of (BASE, &e, k1);
      ok (memcmp (k0, k1, sizeof (k0)) != 0, "the %s changes the key", what[f]);
    }

  /* Strings are length-prefixed: moving a byte between two names is
     another profile. */
  uint8_t *c0, *c1;
  size_t l0, l1;
  oci_config *a = parse ("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"ab\",\"c\"],\"action\":\"SCMP_ACT_ALLOW\"}]}");
  oci_config *b = parse ("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"a\",\"bc\"],\"action\":\"SCMP_ACT_ALLOW\"}]}");
  hr_seccomp_canonical (a->linux_->seccomp, &env0, &c0, &l0);
  hr_seccomp_canonical (b->linux_->seccomp, &env0, &c1, &l1);
  ok (l0 == l1 && memcmp (c0, c1, l0) != 0, "names split differently serialize differently");
  free (c0);
  free (c1);
  oci_config_free (a);
  oci_config_free (b);

  /* --- entries --- */
  struct sock_filter prog[3] = {
    { BPF_LD | BPF_W | BPF_ABS, 0, 0, 4 },
    { BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0xc000003e },
    { BPF_RET | BPF_K, 0, 0, 0x7fff0000 },
  };
  uint8_t *e0;
  size_t len;
  struct sock_filter *got;
  size_t n;
  const char *why;
  hr_seccomp_entry_format (k0, prog, 3, &e0, &len);
  is_int (len, hr_seccomp_entry_size (3), "entry size");
  ok (hr_seccomp_entry_parse (e0, len, k0, &got, &n, &why) == 0 && n == 3 && memcmp (got, prog, sizeof (prog)) == 0,
      "a formatted entry parses back to its program");
  free (got);

  size_t header = len - sizeof (prog);
  uint8_t *m = malloc (len + 8);
  struct
  {
    const char *name;
    size_t at;      /* byte to flip, or SIZE_MAX */
    long delta;     /* length change */
  } bad[] = {
    { "empty", SIZE_MAX, -(long) len },
    { "truncated header", SIZE_MAX, -(long) (len - header + 1) },
    { "header only", SIZE_MAX, -(long) sizeof (prog) },
    { "one byte short", SIZE_MAX, -1 },
    { "one byte long", SIZE_MAX, 1 },
    { "one instruction long", SIZE_MAX, 8 },
    { "magic", 0, 0 },
    { "magic's last byte", 7, 0 },
    { "version", 8, 0 },
    { "count", 12, 0 },
    { "key", 16, 0 },
    { "checksum", 16 + HR_SECCOMP_KEY_LEN, 0 },
    { "first instruction", header, 0 },
    { "last instruction", len - 1, 0 },
  };
  for (size_t i = 0; i < sizeof (bad) / sizeof (bad[0]); i++)
    {
      memcpy (m, e0, len);
      memset (m + len, 0, 8);
      if (bad[i].at != SIZE_MAX)
        m[bad[i].at] ^= 0x01;
      why = NULL;
      int r = hr_seccomp_entry_parse (m, (size_t) ((long) len + bad[i].delta), k0, &got, &n, &why);
      ok (r < 0 && got == NULL && n == 0 && why != NULL, "rejected: %s (%s)", bad[i].name, why ? why : "-");
    }
  /* Counts out of range, the length made to match. */
  uint32_t counts[] = { 0, 4097, 0xffffffffu };
  for (size_t i = 0; i < 3; i++)
    {
      memcpy (m, e0, len);
      for (int b2 = 0; b2 < 4; b2++)
        m[12 + b2] = (uint8_t) (counts[i] >> (8 * b2));
      ok (hr_seccomp_entry_parse (m, header, k0, &got, &n, &why) < 0 && hr_seccomp_entry_parse (m, len, k0, &got, &n, &why) < 0,
          "rejected: count %u", counts[i]);
    }
  ok (hr_seccomp_entry_parse (e0, len, k1, &got, &n, &why) < 0, "rejected: another key's entry");
  /* A maximal program is accepted. */
  struct sock_filter *big = calloc (BPF_MAXINSNS, sizeof (*big));
  uint8_t *eb;
  size_t lb;
  hr_seccomp_entry_format (k0, big, BPF_MAXINSNS, &eb, &lb);
  ok (hr_seccomp_entry_parse (eb, lb, k0, &got, &n, &why) == 0 && n == BPF_MAXINSNS, "4096 instructions accepted");
  free (got);
  free (eb);
  free (big);
  free (m);
  free (e0);

  return tap_done ();
}
