/* SPDX-License-Identifier: Apache-2.0 */
#include <config.h>
#include "seccomp.h"
#include "cleanup.h"
#include "util.h"

#include <errno.h>
#include <stdbool.h>
#include <seccomp.h>
#include <string.h>

static inline void
seccomp_releasep (scmp_filter_ctx *ctx)
{
  if (*ctx)
    seccomp_release (*ctx);
  *ctx = NULL;
}
#define _cleanup_seccomp_ _cleanup_ (seccomp_releasep)

static int
action_of (const char *name, bool has_errno, uint32_t errno_ret, uint32_t *out)
{
  if (strcmp (name, "SCMP_ACT_KILL") == 0 || strcmp (name, "SCMP_ACT_KILL_THREAD") == 0)
    *out = SCMP_ACT_KILL_THREAD;
  else if (strcmp (name, "SCMP_ACT_KILL_PROCESS") == 0)
    *out = SCMP_ACT_KILL_PROCESS;
  else if (strcmp (name, "SCMP_ACT_TRAP") == 0)
    *out = SCMP_ACT_TRAP;
  /* runtime-spec: errnoRet defaults to EPERM for ERRNO and TRACE. */
  else if (strcmp (name, "SCMP_ACT_ERRNO") == 0)
    *out = SCMP_ACT_ERRNO (has_errno ? errno_ret : EPERM);
  else if (strcmp (name, "SCMP_ACT_TRACE") == 0)
    *out = SCMP_ACT_TRACE (has_errno ? errno_ret : EPERM);
  else if (strcmp (name, "SCMP_ACT_ALLOW") == 0)
    *out = SCMP_ACT_ALLOW;
  else if (strcmp (name, "SCMP_ACT_LOG") == 0)
    *out = SCMP_ACT_LOG;
  else
    return -1;
  return 0;
}

static int
op_of (const char *name, enum scmp_compare *out)
{
  static const struct
  {
    const char *name;
    enum scmp_compare op;
  } ops[] = {
    { "SCMP_CMP_NE", SCMP_CMP_NE }, { "SCMP_CMP_LT", SCMP_CMP_LT }, { "SCMP_CMP_LE", SCMP_CMP_LE },
    { "SCMP_CMP_EQ", SCMP_CMP_EQ }, { "SCMP_CMP_GE", SCMP_CMP_GE }, { "SCMP_CMP_GT", SCMP_CMP_GT },
    { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
  };
  for (size_t i = 0; i < sizeof (ops) / sizeof (ops[0]); i++)
    if (strcmp (ops[i].name, name) == 0)
      {
        *out = ops[i].op;
        return 0;
      }
  return -1;
}

int
hr_seccomp_check (const oci_seccomp *s, hr_err *err)
{
  if (s == NULL)
    return 0;
  /* Seccomp user notification needs a listener to hand the notify fd to;
     not supported yet: refuse rather than run the container unconfined
     or with syscalls that would block forever. */
  if ((s->listener_path && *s->listener_path) || strcmp (s->default_action, "SCMP_ACT_NOTIFY") == 0)
    return hr_error_plain (err, ENOTSUP, "linux.seccomp: SCMP_ACT_NOTIFY / listenerPath are not supported yet");
  for (size_t i = 0; i < s->syscalls_len; i++)
    if (strcmp (s->syscalls[i]->action, "SCMP_ACT_NOTIFY") == 0)
      return hr_error_plain (err, ENOTSUP, "linux.seccomp.syscalls[%zu]: SCMP_ACT_NOTIFY is not supported yet", i);
  return 0;
}

int
hr_seccomp_build (const oci_seccomp *s, scmp_filter_ctx *out, hr_err *err)
{
  _cleanup_seccomp_ scmp_filter_ctx ctx = NULL;
  uint32_t def;
  int r;

  if (action_of (s->default_action, s->default_errno_ret_present, s->default_errno_ret, &def) < 0)
    return hr_error_plain (err, EINVAL, "linux.seccomp.defaultAction: unsupported action `%s`", s->default_action);
  ctx = seccomp_init (def);
  if (ctx == NULL)
    return hr_error_plain (err, ENOMEM, "seccomp_init failed");
  /* libseccomp sets no_new_privs before loading unless told not to; that
     is process.noNewPrivileges' decision, not the filter's (runc too). */
  r = seccomp_attr_set (ctx, SCMP_FLTATR_CTL_NNP, 0);
  if (r < 0)
    return hr_error_set (err, -r, "seccomp: clear the no_new_privs attribute");

  for (size_t i = 0; i < s->architectures_len; i++)
    {
      /* "SCMP_ARCH_X86_64" -> libseccomp's "x86_64". */
      const char *a = s->architectures[i] + strlen ("SCMP_ARCH_");
      _cleanup_free_ char *lower = xstrdup (a);
      for (char *p = lower; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
          *p = (char) (*p - 'A' + 'a');
      uint32_t arch = seccomp_arch_resolve_name (lower);
      if (arch == 0)
        return hr_error_plain (err, EINVAL, "linux.seccomp.architectures: unknown `%s`", s->architectures[i]);
      r = seccomp_arch_add (ctx, arch);
      if (r < 0 && r != -EEXIST)
        return hr_error_set (err, -r, "linux.seccomp: add architecture `%s`", s->architectures[i]);
    }

  for (size_t i = 0; i < s->flags_len; i++)
    {
      const char *f = s->flags[i];
      r = 0;
      if (strcmp (f, "SECCOMP_FILTER_FLAG_LOG") == 0)
        r = seccomp_attr_set (ctx, SCMP_FLTATR_CTL_LOG, 1);
      else if (strcmp (f, "SECCOMP_FILTER_FLAG_SPEC_ALLOW") == 0)
        r = seccomp_attr_set (ctx, SCMP_FLTATR_CTL_SSB, 1);
      else if (strcmp (f, "SECCOMP_FILTER_FLAG_TSYNC") == 0)
        r = seccomp_attr_set (ctx, SCMP_FLTATR_CTL_TSYNC, 1);
      /* WAIT_KILLABLE_RECV only matters for notify, which is refused. */
      if (r < 0)
        return hr_error_set (err, -r, "linux.seccomp.flags: `%s`", f);
    }

  for (size_t i = 0; i < s->syscalls_len; i++)
    {
      const oci_seccomp_syscall *sc = s->syscalls[i];
      struct scmp_arg_cmp cmp[6];
      unsigned ncmp = 0;
      uint32_t act;

      if (action_of (sc->action, sc->errno_ret_present, sc->errno_ret, &act) < 0)
        return hr_error_plain (err, EINVAL, "linux.seccomp.syscalls[%zu]: unsupported action `%s`", i, sc->action);
      if (act == def)
        continue; /* libseccomp refuses rules that repeat the default */
      if (sc->args_len > 6)
        return hr_error_plain (err, EINVAL, "linux.seccomp.syscalls[%zu]: more than 6 args", i);
      for (size_t k = 0; k < sc->args_len; k++)
        {
          const oci_seccomp_arg *a = sc->args[k];
          enum scmp_compare op;
          if (op_of (a->op, &op) < 0 || a->index > 5)
            return hr_error_plain (err, EINVAL, "linux.seccomp.syscalls[%zu].args[%zu]: invalid", i, k);
          cmp[ncmp++] = (struct scmp_arg_cmp){ .arg = a->index, .op = op, .datum_a = a->value,
                                               .datum_b = a->value_two_present ? a->value_two : 0 };
        }
      for (size_t n = 0; n < sc->names_len; n++)
        {
          int nr = seccomp_syscall_resolve_name (sc->names[n]);
          /* Profiles list syscalls of every kernel and arch; one this
             libseccomp does not know is skipped, as runc does. */
          if (nr == __NR_SCMP_ERROR)
            continue;
          /* Two conditions on the same argument would have to hold at
             once; runc ORs them instead (one rule each), and so do we. */
          bool repeated = false;
          for (unsigned a = 0; a < ncmp; a++)
            for (unsigned b = a + 1; b < ncmp; b++)
              repeated |= cmp[a].arg == cmp[b].arg;
          if (!repeated)
            r = seccomp_rule_add_array (ctx, act, nr, ncmp, cmp);
          else
            {
              r = 0;
              for (unsigned a = 0; a < ncmp && r == 0; a++)
                r = seccomp_rule_add_array (ctx, act, nr, 1, &cmp[a]);
            }
          if (r < 0)
            return hr_error_set (err, -r, "linux.seccomp: rule for `%s`", sc->names[n]);
        }
    }
  *out = TAKE_PTR (ctx);
  return 0;
}

int
hr_seccomp_apply (const oci_seccomp *s, hr_err *err)
{
  _cleanup_seccomp_ scmp_filter_ctx ctx = NULL;

  if (hr_seccomp_build (s, &ctx, err) < 0)
    return -1;
  int r = seccomp_load (ctx);
  if (r < 0)
    return hr_error_set (err, -r, "load seccomp filter");
  return 0;
}
