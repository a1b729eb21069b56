/* SPDX-License-Identifier: Apache-2.0 */
#include <config.h>
#include "kernel/seccomp.h"
#include "cleanup.h"
#include "util.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <seccomp.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static inline void
seccomp_releasep (scmp_filter_ctx *ctx)
{
  if (*ctx)
    seccomp_release (*ctx);
  *ctx = NULL;
}
#define _cleanup_seccomp_ _cleanup_ (seccomp_releasep)

/* The parsed action (OCI_SECCOMP_ACTION_*) -> libseccomp's. */
static int
action_of (int action, bool has_errno, uint32_t errno_ret, uint32_t *out)
{
  switch (action)
    {
    case OCI_SECCOMP_ACTION_KILL:
    case OCI_SECCOMP_ACTION_KILL_THREAD:
      *out = SCMP_ACT_KILL_THREAD;
      return 0;
    case OCI_SECCOMP_ACTION_KILL_PROCESS:
      *out = SCMP_ACT_KILL_PROCESS;
      return 0;
    case OCI_SECCOMP_ACTION_TRAP:
      *out = SCMP_ACT_TRAP;
      return 0;
    /* runtime-spec: errnoRet defaults to EPERM for ERRNO and TRACE. */
    case OCI_SECCOMP_ACTION_ERRNO:
      *out = SCMP_ACT_ERRNO (has_errno ? errno_ret : EPERM);
      return 0;
    case OCI_SECCOMP_ACTION_TRACE:
      *out = SCMP_ACT_TRACE (has_errno ? errno_ret : EPERM);
      return 0;
    case OCI_SECCOMP_ACTION_ALLOW:
      *out = SCMP_ACT_ALLOW;
      return 0;
    case OCI_SECCOMP_ACTION_LOG:
      *out = SCMP_ACT_LOG;
      return 0;
    case OCI_SECCOMP_ACTION_NOTIFY:
      *out = SCMP_ACT_NOTIFY;
      return 0;
    }
  return -1;
}

static int
op_of (int op, enum scmp_compare *out)
{
  static const enum scmp_compare ops[OCI_SECCOMP_OPERATOR__COUNT] = {
    [OCI_SECCOMP_OPERATOR_NE] = SCMP_CMP_NE, [OCI_SECCOMP_OPERATOR_LT] = SCMP_CMP_LT,
    [OCI_SECCOMP_OPERATOR_LE] = SCMP_CMP_LE, [OCI_SECCOMP_OPERATOR_EQ] = SCMP_CMP_EQ,
    [OCI_SECCOMP_OPERATOR_GE] = SCMP_CMP_GE, [OCI_SECCOMP_OPERATOR_GT] = SCMP_CMP_GT,
    [OCI_SECCOMP_OPERATOR_MASKED_EQ] = SCMP_CMP_MASKED_EQ,
  };
  if (op < 0 || op >= OCI_SECCOMP_OPERATOR__COUNT)
    return -1;
  *out = ops[op];
  return 0;
}

/* The name of a parsed architecture, for messages. */
static const char *
arch_name (int arch)
{
  if (arch < 0 || arch >= OCI_SECCOMP_ARCH__COUNT)
    return "(invalid)";
  return oci_enum_values (OCI_ENUM_SECCOMP_ARCH)[arch];
}

/* OCI_SECCOMP_ARCH_X86_64 -> libseccomp's token for "x86_64"; 0 if this
   libseccomp does not know it. */
static uint32_t
arch_of (int arch)
{
  const char *name = arch_name (arch);
  if (strncmp (name, "SCMP_ARCH_", strlen ("SCMP_ARCH_")) != 0)
    return 0;
  _cleanup_free_ char *lower = xstrdup (name + strlen ("SCMP_ARCH_"));
  for (char *p = lower; *p; p++)
    if (*p >= 'A' && *p <= 'Z')
      *p = (char) (*p - 'A' + 'a');
  return seccomp_arch_resolve_name (lower);
}

bool
hr_seccomp_has_notify (const oci_seccomp *s)
{
  for (size_t i = 0; s && i < s->syscalls_len; i++)
    if (s->syscalls[i]->action == OCI_SECCOMP_ACTION_NOTIFY)
      return true;
  return false;
}

int
hr_seccomp_check (const oci_seccomp *s, hr_err *err)
{
  if (s == NULL)
    return 0;
  /* runc: the process that loaded the filter still has to hand the
     listener fd over (seccomp_notify.c); were those calls notified it
     would wait for an agent that has no fd yet.  runc names write; our
     hand-over is writev + sendmsg. */
  static const char *const handover[] = { "write", "writev", "sendmsg" };
  if (s->default_action == OCI_SECCOMP_ACTION_NOTIFY)
    return hr_error_plain (err, EINVAL, "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action");
  for (size_t i = 0; i < s->syscalls_len; i++)
    {
      if (s->syscalls[i]->action != OCI_SECCOMP_ACTION_NOTIFY)
        continue;
      for (size_t n = 0; n < s->syscalls[i]->names_len; n++)
        for (size_t k = 0; k < sizeof (handover) / sizeof (handover[0]); k++)
          if (strcmp (s->syscalls[i]->names[n], handover[k]) == 0)
            return hr_error_plain (err, EINVAL, "linux.seccomp.syscalls[%zu]: SCMP_ACT_NOTIFY cannot be used for `%s`",
                                   i, handover[k]);
    }
  /* config-linux.md "Seccomp": the notify fd goes to listenerPath; without
     one nobody would answer.  (listenerPath without a notify action is
     ignored, as the spec says.) */
  if (hr_seccomp_has_notify (s) && (s->listener_path == NULL || *s->listener_path == '\0'))
    return hr_error_plain (err, EINVAL, "linux.seccomp: SCMP_ACT_NOTIFY needs linux.seccomp.listenerPath");
  return 0;
}

int
hr_seccomp_build (const oci_seccomp *s, scmp_filter_ctx *out, hr_err *err)
{
  _cleanup_seccomp_ scmp_filter_ctx ctx = NULL;
  uint32_t def;
  int r;

  if (action_of (s->default_action, s->default_errno_ret_present, s->default_errno_ret, &def) < 0)
    return hr_error_plain (err, EINVAL, "linux.seccomp.defaultAction: unsupported action");
  ctx = seccomp_init (def);
  if (ctx == NULL)
    return hr_error_plain (err, ENOMEM, "seccomp_init failed");
  /* libseccomp sets no_new_privs before loading unless told not to; that
     is process.noNewPrivileges' decision, not the filter's (runc too). */
  r = seccomp_attr_set (ctx, SCMP_FLTATR_CTL_NNP, 0);
  if (r < 0)
    return hr_error_set (err, -r, "seccomp: clear the no_new_privs attribute");
  r = seccomp_attr_set (ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
  if (r < 0)
    return hr_error_set (err, -r, "seccomp: binary tree optimization");

  for (size_t i = 0; i < s->architectures_len; i++)
    {
      uint32_t arch = arch_of (s->architectures[i]);
      if (arch == 0)
        return hr_error_plain (err, EINVAL, "linux.seccomp.architectures: unknown `%s`", arch_name (s->architectures[i]));
      r = seccomp_arch_add (ctx, arch);
      if (r < 0 && r != -EEXIST)
        return hr_error_set (err, -r, "linux.seccomp: add architecture `%s`", arch_name (s->architectures[i]));
    }

  for (size_t i = 0; i < s->flags_len; i++)
    {
      int f = s->flags[i];
      r = 0;
      if (f == OCI_SECCOMP_FLAG_LOG)
        r = seccomp_attr_set (ctx, SCMP_FLTATR_CTL_LOG, 1);
      else if (f == OCI_SECCOMP_FLAG_SPEC_ALLOW)
        r = seccomp_attr_set (ctx, SCMP_FLTATR_CTL_SSB, 1);
      else if (f == OCI_SECCOMP_FLAG_TSYNC)
        r = seccomp_attr_set (ctx, SCMP_FLTATR_CTL_TSYNC, 1);
      if (r < 0)
        return hr_error_set (err, -r, "linux.seccomp.flags[%zu]", i);
    }

  for (size_t i = 0; i < s->syscalls_len; i++)
    {
      const oci_seccomp_syscall *sc = s->syscalls[i];
      struct scmp_arg_cmp cmp[6];
      unsigned ncmp = 0;
      uint32_t act;

      if (action_of (sc->action, sc->errno_ret_present, sc->errno_ret, &act) < 0)
        return hr_error_plain (err, EINVAL, "linux.seccomp.syscalls[%zu]: unsupported action", i);
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

/* --- runc's -ENOSYS stub ------------------------------------------------

   A profile lists the syscalls its author knew of.  A syscall added to the
   kernel later gets the profile's default action, typically EPERM, and a
   newer libc that tries it first (clone3, close_range, openat2,
   faccessat2) takes EPERM as a real refusal instead of falling back to the
   older call it would use on an older kernel.  runc (libcontainer/seccomp/
   patchbpf/enosys_linux.go) therefore puts a stub in front of libseccomp's
   program: per architecture of the profile, a syscall numbered above the
   largest one the profile names gets ENOSYS, as from a kernel that lacks
   it.  We do the same, for the same profiles (not when the default action
   already lets the call through, ALLOW/LOG/TRACE, nor when it is ENOSYS).

   Rules returning ENOSYS for every syscall libseccomp knows to be newer
   would not be enough: syscalls newer than libseccomp's own table (and a
   kernel newer than the libseccomp we link, like this host's) would still
   get the default errno.  The stub compares numbers, so it covers those.
   Like runc, a syscall older than the newest named one keeps the default
   action, even when it was added later (close_range, 436, is below
   faccessat2, 439): nothing the runtime does after loading the filter may
   depend on such a call (see hr_fds_cloexec). */

#define X32_SYSCALL_BIT 0x40000000u
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif
#define MAX_STUB_ARCHES 32

struct stub_arch
{
  uint32_t audit;       /* AUDIT_ARCH_*, what seccomp_data.arch holds */
  int64_t max, max_x32; /* largest named syscall; -1: none named */
  bool s390;
};

static void
emit (struct sock_filter *prog, size_t *n, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
  prog[(*n)++] = (struct sock_filter){ .code = code, .jt = jt, .jf = jf, .k = k };
}

bool
hr_seccomp_wants_enosys_stub (const oci_seccomp *s)
{
  int d = s->default_action;
  if (d == OCI_SECCOMP_ACTION_ALLOW || d == OCI_SECCOMP_ACTION_LOG || d == OCI_SECCOMP_ACTION_TRACE)
    return false;
  if (d == OCI_SECCOMP_ACTION_ERRNO && s->default_errno_ret_present && s->default_errno_ret == ENOSYS)
    return false;
  return true;
}

int
hr_seccomp_enosys_stub (const oci_seccomp *s, struct sock_filter **out, size_t *len, hr_err *err)
{
  struct stub_arch arches[MAX_STUB_ARCHES];
  size_t narch = 0;
  size_t nscmp = s->architectures_len ? s->architectures_len : 1;

  *out = NULL;
  *len = 0;
  if (!hr_seccomp_wants_enosys_stub (s))
    return 0;
  for (size_t a = 0; a < nscmp; a++)
    {
      /* No architectures: libseccomp filters the native one; the stub
         covers it too (runc would leave such a profile without stub). */
      uint32_t scmp = s->architectures_len ? arch_of (s->architectures[a]) : seccomp_arch_native ();
      if (scmp == 0)
        return hr_error_plain (err, EINVAL, "linux.seccomp.architectures: unknown `%s`", arch_name (s->architectures[a]));
      /* SCMP_ARCH_X32 is libseccomp's own token: the kernel reports x32
         calls as x86_64 with bit 30 of the number set. */
      bool x32 = scmp == SCMP_ARCH_X32;
      uint32_t audit = x32 ? AUDIT_ARCH_X86_64 : scmp;
      int64_t max = -1;
      for (size_t i = 0; i < s->syscalls_len; i++)
        for (size_t n = 0; n < s->syscalls[i]->names_len; n++)
          {
            /* Negative: a pseudo number (multiplexed or absent on scmp). */
            int nr = seccomp_syscall_resolve_name_arch (scmp, s->syscalls[i]->names[n]);
            if (nr > max)
              max = nr;
          }
      if (max <= 0)
        continue; /* nothing named for this arch: as runc, no stub */
      size_t k;
      for (k = 0; k < narch && arches[k].audit != audit; k++)
        ;
      if (k == narch)
        {
          if (narch == MAX_STUB_ARCHES)
            return hr_error_plain (err, EINVAL, "linux.seccomp.architectures: too many");
          arches[narch++] = (struct stub_arch){ .audit = audit, .max = -1, .max_x32 = -1,
                                                .s390 = scmp == SCMP_ARCH_S390 || scmp == SCMP_ARCH_S390X };
        }
      if (x32)
        arches[k].max_x32 = max;
      else
        arches[k].max = max;
    }
  if (narch == 0)
    return 0;

  /* Layout (every jump is short and local; each arch's section ends in a
     jump to libseccomp's program, patched in once the length is known):
       ld [arch]
       for each arch:  jeq AUDIT, 0, <skip section>
                       section: ld [nr]; [s390: jeq 0 -> ENOSYS];
                                per ABI: jgt MAX -> ENOSYS; ja program
       (an arch not listed falls through to the program, whose own
        architecture check handles it) */
  struct sock_filter *prog = xmalloc0 (sizeof (*prog) * (1 + narch * 12));
  size_t n = 0;
  const uint32_t enosys = SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA);
  size_t ja[MAX_STUB_ARCHES * 2], nja = 0;

  emit (prog, &n, BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof (struct seccomp_data, arch));
  for (size_t a = 0; a < narch; a++)
    {
      const struct stub_arch *sa = &arches[a];
      size_t head = n;
      emit (prog, &n, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, sa->audit); /* jf patched below */
      emit (prog, &n, BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof (struct seccomp_data, nr));
      if (sa->s390)
        {
          /* runc: on s390 an unknown large syscall reaches the filter as
             number 0 (the multiplexer, setup(2), unused for decades). */
          emit (prog, &n, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0);
          emit (prog, &n, BPF_RET | BPF_K, 0, 0, enosys);
        }
      if (sa->max >= 0 && sa->max_x32 >= 0)
        {
          /*  jset BIT, 1, 0      x32 -> the x32 comparison
              jgt MAX, 1, 2       -> ENOSYS / program
              jgt MAX32, 0, 1
              ret ENOSYS
              ja program */
          emit (prog, &n, BPF_JMP | BPF_JSET | BPF_K, 1, 0, X32_SYSCALL_BIT);
          emit (prog, &n, BPF_JMP | BPF_JGT | BPF_K, 1, 2, (uint32_t) sa->max);
          emit (prog, &n, BPF_JMP | BPF_JGT | BPF_K, 0, 1, (uint32_t) sa->max_x32);
        }
      else
        {
          /* One ABI of x86_64 only: calls of the other one are left to the
             program (libseccomp's own check refuses them). */
          if (sa->audit == AUDIT_ARCH_X86_64)
            emit (prog, &n, BPF_JMP | BPF_JSET | BPF_K, sa->max >= 0 ? 2 : 0, sa->max >= 0 ? 0 : 2,
                  X32_SYSCALL_BIT);
          emit (prog, &n, BPF_JMP | BPF_JGT | BPF_K, 0, 1, (uint32_t) (sa->max >= 0 ? sa->max : sa->max_x32));
        }
      emit (prog, &n, BPF_RET | BPF_K, 0, 0, enosys);
      ja[nja++] = n;
      emit (prog, &n, BPF_JMP | BPF_JA, 0, 0, 0);
      prog[head].jf = (uint8_t) (n - head - 1);
    }
  /* The program starts right after the stub. */
  for (size_t j = 0; j < nja; j++)
    prog[ja[j]].k = (uint32_t) (n - ja[j] - 1);
  *out = prog;
  *len = n;
  return 0;
}

/* libseccomp's program, as it would load it. */
static int
export_program (scmp_filter_ctx ctx, struct sock_filter **out, size_t *len, hr_err *err)
{
  _cleanup_close_ int fd = memfd_create ("seccomp-bpf", MFD_CLOEXEC);
  struct stat st;
  int r;

  if (fd < 0)
    return hr_error_set (err, errno, "seccomp: memfd_create");
  r = seccomp_export_bpf (ctx, fd);
  if (r < 0)
    return hr_error_set (err, -r, "seccomp: export the filter");
  if (fstat (fd, &st) < 0)
    return hr_error_set (err, errno, "seccomp: fstat");
  if (st.st_size <= 0 || st.st_size % sizeof (struct sock_filter) != 0)
    return hr_error_plain (err, EINVAL, "seccomp: libseccomp exported %lld bytes", (long long) st.st_size);
  _cleanup_free_ struct sock_filter *prog = xmalloc0 (st.st_size);
  if (pread (fd, prog, st.st_size, 0) != st.st_size)
    return hr_error_set (err, errno ? errno : EIO, "seccomp: read the exported filter");
  *len = st.st_size / sizeof (struct sock_filter);
  *out = TAKE_PTR (prog);
  return 0;
}

unsigned
hr_seccomp_filter_flags (const oci_seccomp *s)
{
  unsigned flags = 0;

  /* The flags libseccomp would pass (SECCOMP_FILTER_FLAG_*), as runc's
     patchbpf.filterFlags does; no_new_privs stays process.noNewPrivileges'
     business.  The same attributes are set on libseccomp's filter
     (hr_seccomp_build), where they change nothing in the exported
     program: LOG, SSB and TSYNC are load flags only. */
  for (size_t i = 0; i < s->flags_len; i++)
    {
      if (s->flags[i] == OCI_SECCOMP_FLAG_LOG)
        flags |= SECCOMP_FILTER_FLAG_LOG;
      else if (s->flags[i] == OCI_SECCOMP_FLAG_SPEC_ALLOW)
        flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
      else if (s->flags[i] == OCI_SECCOMP_FLAG_TSYNC)
        flags |= SECCOMP_FILTER_FLAG_TSYNC;
      else if (s->flags[i] == OCI_SECCOMP_FLAG_WAIT_KILLABLE_RECV)
        flags |= SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV; /* the kernel refuses it without a listener */
    }
  if (hr_seccomp_has_notify (s))
    flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
  return flags;
}

int
hr_seccomp_compile (const oci_seccomp *s, struct hr_seccomp_prog *out, hr_err *err)
{
  _cleanup_seccomp_ scmp_filter_ctx ctx = NULL;
  _cleanup_free_ struct sock_filter *stub = NULL, *prog = NULL;
  size_t nstub = 0, nprog = 0;

  if (hr_seccomp_build (s, &ctx, err) < 0 || hr_seccomp_enosys_stub (s, &stub, &nstub, err) < 0
      || export_program (ctx, &prog, &nprog, err) < 0)
    return -1;
  if (nstub + nprog > BPF_MAXINSNS)
    return hr_error_plain (err, E2BIG, "seccomp: the filter has %zu instructions, the kernel takes %d", nstub + nprog,
                           BPF_MAXINSNS);
  struct sock_filter *all = xmalloc0 (sizeof (*all) * (nstub + nprog));
  if (nstub)
    memcpy (all, stub, sizeof (*all) * nstub);
  memcpy (all + nstub, prog, sizeof (*all) * nprog);
  out->insns = all;
  out->len = nstub + nprog;
  out->flags = hr_seccomp_filter_flags (s);
  return 0;
}

void
hr_seccomp_prog_clear (struct hr_seccomp_prog *p)
{
  free (p->insns);
  *p = (struct hr_seccomp_prog){ 0 };
}

int
hr_seccomp_load_prog (const struct hr_seccomp_prog *p, int preserve_fds, int *notify_fd, hr_err *err)
{
  struct sock_fprog fprog = { .len = (unsigned short) p->len, .filter = p->insns };

  *notify_fd = -1;
  if (p->len == 0 || p->len > BPF_MAXINSNS)
    return hr_error_plain (err, EINVAL, "seccomp: no filter to load");
  /* From here on the filter may deny anything the profile does not list,
     with any errno or by killing us: what the runtime still does before
     execve must not depend on such a call.  close_range in particular
     (older profiles do not list it): mark every fd the container must not
     inherit close-on-exec now, so that hr_exec need not. */
  if (hr_fds_cloexec (preserve_fds, err) < 0)
    return -1;
  long r = syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, p->flags, &fprog);
  if (r < 0)
    return hr_error_set (err, errno, "load seccomp filter");
  if (p->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER)
    *notify_fd = (int) r; /* the kernel made it close-on-exec */
  return 0;
}

int
hr_seccomp_apply (const oci_seccomp *s, int preserve_fds, int *notify_fd, hr_err *err)
{
  _cleanup_ (hr_seccomp_prog_clear) struct hr_seccomp_prog p = { 0 };

  *notify_fd = -1;
  if (hr_seccomp_compile (s, &p, err) < 0)
    return -1;
  return hr_seccomp_load_prog (&p, preserve_fds, notify_fd, err);
}
