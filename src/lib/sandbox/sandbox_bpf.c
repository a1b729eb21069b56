/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The sandbox's eBPF loader: see sandbox_bpf.h and bpf/sandbox.bpf.c.
 *
 * What a caller relies on:
 * - Root: loading needs CAP_BPF, CAP_PERFMON (tracepoints), CAP_NET_ADMIN
 *   (cgroup programs) and CAP_SYS_ADMIN (file handle of the cgroup), in the
 *   initial user namespace: the runtime's audit process, not the container.
 * - cfg->cgroup_fd: a directory of a cgroup2 mount of the whole hierarchy
 *   (its root's id is 1; a cgroup namespace's view is refused).  Tasks in
 *   it and in every cgroup below it are seen.  The fd is used during load
 *   only; the caller keeps or closes it.  cfg and everything it points to
 *   are copied: they may go after load returns.
 * - Lifetimes: the tracepoints and the LSM hook go with
 *   hr_sandbox_bpf_free() (or the process's exit).  The connect4/6 and
 *   sendmsg4/6 programs are attached to the cgroup with BPF_PROG_ATTACH
 *   (BPF_F_ALLOW_MULTI): they stay until the cgroup is removed, whatever
 *   happens to this process, and a second load for the same cgroup
 *   attaches a second set (all must allow).  Their records after free go
 *   to a ring buffer nobody reads (dropped when full).
 * - Records: hr_sandbox_bpf_consume() calls cb with a record whose
 *   strings (path, argv, op, syscall, rule, what) point into the handle
 *   or into static tables: valid during the callback only; copy what is
 *   kept.  Paths are as the task saw them (from its root: the container's
 *   paths), lexically cleaned; an exec's path is the name execve was given.
 *   time_ns is CLOCK_REALTIME, pid/ppid are host pids, ns_pid/ns_ppid
 *   the same in the task's own pid namespace (0 in a connect record when
 *   the kernel's sock_addr programs cannot read the task).  A record the ring
 *   buffer had no room for is lost (2 MiB, about 800 records).
 * - Degrading: a missing feature is not an error (features_of says what
 *   runs), except a net_filter that could not be attached to all four
 *   hooks, which fails the load.  The ring buffer (5.8) is required.
 */
#include <config.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/magic.h>
#include <linux/types.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "cleanup.h"
#include "util.h"
#include "sandbox/sandbox_bpf.h"
#include "sandbox/bpf/sandbox_events.h"
#include "sandbox/bpf_decode.h"
#include "src/lib/sandbox/bpf/gen/sandbox.skel.h"

struct hr_sandbox_bpf
{
  struct sandbox_bpf *skel;
  struct ring_buffer *rb;
  struct bpf_link **links;         /* tracepoints, LSM hook */
  size_t n_links;
  struct hr_bpf_features have;     /* what is loaded and attached */
  /* the decoder holds the buffers the records' strings point into */
  struct hr_bpf_decoder dec;
  /* consume's callback */
  int (*cb) (const struct hr_audit_record *, void *);
  void *arg;
  int count;
  bool stopped;
};

/* ---- probe ---- */

static bool
lsm_listed (void)
{
  _cleanup_fclose_ FILE *f = fopen ("/sys/kernel/security/lsm", "re");
  char buf[512], *tok, *save = NULL;

  if (f == NULL || fgets (buf, sizeof buf, f) == NULL)
    return false;
  buf[strcspn (buf, "\n")] = 0;
  for (tok = strtok_r (buf, ",", &save); tok; tok = strtok_r (NULL, ",", &save))
    if (strcmp (tok, "bpf") == 0)
      return true;
  return false;
}

/* A kernel can have BPF_PROG_TYPE_LSM (CONFIG_BPF_LSM) without "bpf" in
   its active LSMs (lsm=): programs then load and attach but their hooks
   are never called.  Both are needed, and a load may still be refused
   (a policy on the host), so the probe loads one. */
static bool
probe_lsm (void)
{
  struct bpf_insn insns[] = {
    { .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
    { .code = BPF_JMP | BPF_EXIT },
  };
  LIBBPF_OPTS (bpf_prog_load_opts, opts, .expected_attach_type = BPF_LSM_MAC);
  int id, fd;

  if (!lsm_listed ())
    return false;
  id = libbpf_find_vmlinux_btf_id ("bprm_check_security", BPF_LSM_MAC);
  if (id < 0)
    return false;
  opts.attach_btf_id = id;
  fd = bpf_prog_load (BPF_PROG_TYPE_LSM, "hr_probe_lsm", "GPL", insns, 2, &opts);
  if (fd < 0)
    return false;
  close (fd);
  return true;
}

static bool
has_path (const char *p)
{
  return access (p, F_OK) == 0;
}

int
hr_sandbox_bpf_kernel_fs (hr_err *err)
{
  if (has_path ("/sys/kernel/security/lsm"))
    return 0;
  if (unshare (CLONE_NEWNS) < 0)
    return hr_error_set (err, errno, "unshare a mount namespace for securityfs");
  /* Nothing mounted here may reach the host's namespace. */
  if (mount ("none", "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
    return hr_error_set (err, errno, "make / a slave");
  if (mount ("securityfs", "/sys/kernel/security", "securityfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
    return hr_error_set (err, errno, "mount securityfs");
  return 0;
}

int
hr_sandbox_bpf_probe (struct hr_bpf_features *out)
{
  memset (out, 0, sizeof *out);
  out->tracepoints = libbpf_probe_bpf_prog_type (BPF_PROG_TYPE_RAW_TRACEPOINT, NULL) == 1;
  out->sock_addr = libbpf_probe_bpf_prog_type (BPF_PROG_TYPE_CGROUP_SOCK_ADDR, NULL) == 1;
  out->ringbuf = libbpf_probe_bpf_map_type (BPF_MAP_TYPE_RINGBUF, NULL) == 1;
  out->bpf_lsm = probe_lsm ();
  return 0;
}

/* ---- load ---- */

/* The cgroup's id (what bpf_get_current_ancestor_cgroup_id returns: its
   kernfs node id, the file handle of its directory) and its depth below
   the cgroup2 root. */
static int
cgroup_ident (int cgroup_fd, uint64_t *id, uint32_t *level, hr_err *err)
{
  struct statfs sfs;
  struct stat st, up;
  struct
  {
    struct file_handle fh;
    uint64_t id;
  } h;
  int mount_id;
  _cleanup_close_ int cur = -1;

  if (fstatfs (cgroup_fd, &sfs) < 0)
    return hr_error_set (err, errno, "statfs the container's cgroup");
  if (sfs.f_type != CGROUP2_SUPER_MAGIC)
    return hr_error_plain (err, EINVAL, "the sandbox's cgroup is not a cgroup2 directory");
  h.fh.handle_bytes = sizeof h.id;
  if (name_to_handle_at (cgroup_fd, "", &h.fh, &mount_id, AT_EMPTY_PATH) < 0)
    return hr_error_set (err, errno, "file handle of the container's cgroup");
  *id = h.id;
  /* Up to the root of the cgroup2 mount, where ".." leaves the
     filesystem.  A mount of a subtree (a cgroup namespace's view) would
     give a wrong depth: the root's id must be 1. */
  *level = 0;
  cur = fcntl (cgroup_fd, F_DUPFD_CLOEXEC, 3);
  if (cur < 0 || fstat (cur, &st) < 0)
    return hr_error_set (err, errno, "stat the container's cgroup");
  for (;;)
    {
      int parent = openat (cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (parent < 0)
        return hr_error_set (err, errno, "open the parent of the container's cgroup");
      if (fstat (parent, &up) < 0)
        {
          close (parent);
          return hr_error_set (err, errno, "stat the cgroup2 tree");
        }
      if (up.st_dev != st.st_dev || up.st_ino == st.st_ino)
        {
          close (parent);
          break;
        }
      close (cur);
      cur = parent;
      st = up;
      (*level)++;
    }
  h.fh.handle_bytes = sizeof h.id;
  if (name_to_handle_at (cur, "", &h.fh, &mount_id, AT_EMPTY_PATH) < 0)
    return hr_error_set (err, errno, "file handle of the cgroup2 root");
  if (h.id != 1)
    return hr_error_plain (err, EINVAL, "the cgroup2 mount of the sandbox's cgroup is not the hierarchy's root");
  return 0;
}

static void
allow_entry (struct hr_bpf_allow *a, int family, const uint8_t *addr, int prefix, uint16_t port)
{
  memset (a, 0, sizeof *a);
  if (family == AF_INET)
    {
      a->addr[10] = a->addr[11] = 0xff;
      memcpy (&a->addr[12], addr, 4);
      prefix += 96;
    }
  else
    memcpy (a->addr, addr, 16);
  a->prefix = prefix;
  a->port = port;
}

/* Loopback is always allowed (the issue: "loopback always allowed"), and
   the unspecified address, which the kernel connects to the host itself. */
static size_t
allow_list (const struct hr_bpf_config *cfg, struct hr_bpf_allow *out)
{
  static const uint8_t lo4[4] = { 127, 0, 0, 0 }, any4[4] = { 0 };
  static const uint8_t lo6[16] = { [15] = 1 }, any6[16] = { 0 };
  size_t n = 0;

  allow_entry (&out[n++], AF_INET, lo4, 8, 0);
  allow_entry (&out[n++], AF_INET, any4, 32, 0);
  allow_entry (&out[n++], AF_INET6, lo6, 128, 0);
  allow_entry (&out[n++], AF_INET6, any6, 128, 0);
  for (size_t i = 0; i < cfg->n_allow; i++)
    allow_entry (&out[n++], cfg->allow[i].family, cfg->allow[i].addr, cfg->allow[i].prefix, cfg->allow[i].port);
  return n;
}

static int
check_config (const struct hr_bpf_config *cfg, hr_err *err)
{
  if (cfg->cgroup_fd < 0)
    return hr_error_plain (err, EINVAL, "the sandbox's eBPF programs need the container's cgroup");
  if (cfg->n_allow > HR_MAX_ALLOW - 4)
    return hr_error_plain (err, EINVAL, "allow_internet: at most %d destinations", HR_MAX_ALLOW - 4);
  for (size_t i = 0; i < cfg->n_allow; i++)
    {
      const struct hr_policy_dest *d = &cfg->allow[i];
      if (d->family != AF_INET && d->family != AF_INET6)
        return hr_error_plain (err, EINVAL, "allow_internet: `%s` is not resolved to an address", d->text ? d->text : "?");
      if (d->prefix > (d->family == AF_INET ? 32 : 128))
        return hr_error_plain (err, EINVAL, "allow_internet: `%s`: bad prefix length", d->text ? d->text : "?");
    }
  for (size_t i = 0; i < cfg->n_blocked_names; i++)
    if (strlen (cfg->blocked_names[i]) >= HR_EV_NAME || cfg->blocked_names[i][0] == 0)
      return hr_error_plain (err, EINVAL, "blocked_commands: `%s`: names are 1 to %d bytes", cfg->blocked_names[i],
                             HR_EV_NAME - 1);
  return 0;
}

/* Whether cgroup sock_addr programs may ask who the current task is
   (Linux 6.1 reworked which helpers cgroup programs get). */
static bool
sock_current (void)
{
  static const enum bpf_func_id ids[] = { BPF_FUNC_get_current_pid_tgid, BPF_FUNC_get_current_uid_gid,
                                          BPF_FUNC_get_current_comm };
  for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
    if (libbpf_probe_bpf_helper (BPF_PROG_TYPE_CGROUP_SOCK_ADDR, ids[i], NULL) != 1)
      return false;
  return true;
}

/* Whether they may also read the task (its pids in its namespace). */
static bool
sock_task (void)
{
  return libbpf_probe_bpf_helper (BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_FUNC_get_current_task, NULL) == 1
         && libbpf_probe_bpf_helper (BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_FUNC_probe_read_kernel, NULL) == 1;
}

static bool
is_tracepoint (const struct bpf_program *p)
{
  return bpf_program__type (p) == BPF_PROG_TYPE_RAW_TRACEPOINT;
}

static bool
is_syscall_tp (const struct bpf_program *p)
{
  return is_tracepoint (p) && strncmp (bpf_program__section_name (p), "raw_tp/sys_", 11) == 0;
}

/* Open the skeleton and say what is to be loaded. */
static struct sandbox_bpf *
open_skel (const struct hr_bpf_config *cfg, const struct hr_bpf_features *f, uint64_t cg_id, uint32_t cg_level,
           bool lsm, hr_err *err)
{
  struct sandbox_bpf *s = sandbox_bpf__open ();
  struct bpf_program *p;
  bool guard = cfg->n_blocked > 0 || cfg->confine_exec;
  bool want_exec = f->tracepoints && (cfg->audit || guard);
  bool want_sys = f->tracepoints && (cfg->audit || cfg->monitor_files);
  bool want_net = f->sock_addr && (cfg->net_filter || cfg->monitor_network);

  if (s == NULL)
    {
      hr_error_set (err, errno, "open the sandbox's BPF object");
      return NULL;
    }
  s->rodata->cg_id = cg_id;
  s->rodata->cg_level = cg_level;
  s->rodata->audit = cfg->audit;
  s->rodata->detailed = cfg->detailed;
  s->rodata->monitor_files = cfg->monitor_files;
  s->rodata->monitor_network = cfg->monitor_network;
  s->rodata->net_filter = cfg->net_filter;
  s->rodata->guard = guard;
  s->rodata->sock_current = want_net && sock_current ();
  s->rodata->sock_task = s->rodata->sock_current && sock_task ();
  s->rodata->n_allow = allow_list (cfg, (struct hr_bpf_allow *) s->rodata->allow);

  bpf_object__for_each_program (p, s->obj)
    {
      bool load;
      if (p == s->progs.hr_bprm_check)
        load = lsm && guard;
      else if (is_syscall_tp (p))
        load = want_sys;
      else if (is_tracepoint (p))
        load = want_exec;
      else
        load = want_net;
      bpf_program__set_autoload (p, load);
    }
  return s;
}

static int
attach (struct hr_sandbox_bpf *b, const struct hr_bpf_config *cfg)
{
  struct sandbox_bpf *s = b->skel;
  struct bpf_program *p;
  static const struct
  {
    const char *sec;
    enum bpf_attach_type type;
  } net[] = {
    { "cgroup/connect4", BPF_CGROUP_INET4_CONNECT },
    { "cgroup/connect6", BPF_CGROUP_INET6_CONNECT },
    { "cgroup/sendmsg4", BPF_CGROUP_UDP4_SENDMSG },
    { "cgroup/sendmsg6", BPF_CGROUP_UDP6_SENDMSG },
  };
  int net_ok = 0, net_want = 0;
  struct bpf_program *attached[4] = { NULL };

  bpf_object__for_each_program (p, s->obj)
    {
      if (!bpf_program__autoload (p))
        continue;
      if (bpf_program__type (p) == BPF_PROG_TYPE_CGROUP_SOCK_ADDR)
        {
          /* BPF_PROG_ATTACH, not a link: the cgroup holds the program,
             which then outlives this process (a link would go with its
             fd); it goes when the cgroup is removed.  ALLOW_MULTI: an
             engine's own programs on the cgroup stay and are run too. */
          net_want++;
          for (size_t i = 0; i < sizeof net / sizeof net[0]; i++)
            if (strcmp (bpf_program__section_name (p), net[i].sec) == 0
                && bpf_prog_attach (bpf_program__fd (p), cfg->cgroup_fd, net[i].type, BPF_F_ALLOW_MULTI) == 0)
              {
                net_ok++;
                attached[i] = p;
              }
          continue;
        }
      struct bpf_link *l = bpf_program__attach (p);
      if (l == NULL)
        {
          /* Any tracepoint missing leaves a hole the report must show. */
          b->have.tracepoints = false;
          if (p == s->progs.hr_bprm_check)
            b->have.bpf_lsm = false;
          continue;
        }
      b->links = xrealloc (b->links, (b->n_links + 1) * sizeof *b->links);
      b->links[b->n_links++] = l;
    }
  b->have.sock_addr = net_want > 0 && net_ok == net_want;
  /* An allow-list half attached would let some traffic through that the
     report says is filtered: none, and an error. */
  if (net_ok == net_want || !cfg->net_filter)
    return 0;
  for (size_t i = 0; i < sizeof net / sizeof net[0]; i++)
    if (attached[i])
      bpf_prog_detach2 (bpf_program__fd (attached[i]), cfg->cgroup_fd, net[i].type);
  b->have.sock_addr = false;
  return -1;
}

static int
handle_event (void *ctx, void *data, size_t size)
{
  struct hr_sandbox_bpf *b = ctx;
  struct hr_audit_record r;
  int ret;

  if (b->stopped || hr_bpf_decode (&b->dec, data, size, &r) <= 0)
    return 0;
  b->count++;
  ret = b->cb (&r, b->arg);
  if (ret < 0)
    {
      b->stopped = true;
      return ret;
    }
  return 0;
}

int
hr_sandbox_bpf_load (const struct hr_bpf_config *cfg, struct hr_sandbox_bpf **out, hr_err *err)
{
  _cleanup_ (hr_sandbox_bpf_freep) struct hr_sandbox_bpf *b = NULL;
  struct hr_bpf_features f;
  uint64_t cg_id = 0;
  uint32_t cg_level = 0;
  struct timespec rt, mono;
  bool lsm;
  int r;

  if (check_config (cfg, err) < 0 || cgroup_ident (cfg->cgroup_fd, &cg_id, &cg_level, err) < 0)
    return -1;
  hr_sandbox_bpf_probe (&f);
  if (!f.ringbuf)
    return hr_error_plain (err, ENOTSUP, "this kernel has no BPF ring buffer (Linux >= 5.8): no eBPF sandbox");
  b = xmalloc0 (sizeof *b);
  b->dec.detailed = cfg->detailed;
  b->have.ringbuf = true;
  b->have.tracepoints = f.tracepoints && (cfg->audit || cfg->n_blocked > 0 || cfg->confine_exec || cfg->monitor_files);
  lsm = f.bpf_lsm && (cfg->n_blocked > 0 || cfg->confine_exec);
  /* The LSM hook is the first to go if the whole does not load: the
     guard then kills at sched_process_exec instead. */
  for (;;)
    {
      b->skel = open_skel (cfg, &f, cg_id, cg_level, lsm, err);
      if (b->skel == NULL)
        return -1;
      r = sandbox_bpf__load (b->skel);
      if (r == 0)
        break;
      sandbox_bpf__destroy (b->skel);
      b->skel = NULL;
      if (!lsm)
        return hr_error_set (err, -r, "load the sandbox's BPF programs");
      lsm = false;
    }
  b->have.bpf_lsm = lsm;

  for (size_t i = 0; i < cfg->n_blocked; i++)
    {
      struct hr_bpf_blocked_key k = {
        /* the kernel's dev_t, as in super_block.s_dev */
        .dev = ((uint64_t) major (cfg->blocked[i].dev) << 20) | minor (cfg->blocked[i].dev),
        .ino = cfg->blocked[i].ino,
      };
      uint8_t v = cfg->blocked[i].multicall;
      if (bpf_map__update_elem (b->skel->maps.blocked, &k, sizeof k, &v, sizeof v, BPF_ANY) < 0)
        return hr_error_set (err, errno, "fill the exec guard's map");
    }
  for (size_t i = 0; i < cfg->n_blocked_names; i++)
    {
      char k[HR_EV_NAME] = { 0 };
      uint8_t v = 1;
      memcpy (k, cfg->blocked_names[i], strlen (cfg->blocked_names[i]));
      if (bpf_map__update_elem (b->skel->maps.blocked_names, k, sizeof k, &v, sizeof v, BPF_ANY) < 0)
        return hr_error_set (err, errno, "fill the exec guard's names");
    }

  /* Nothing can fail after the cgroup programs are attached: they would
     stay with the cgroup. */
  b->rb = ring_buffer__new (bpf_map__fd (b->skel->maps.events), handle_event, b, NULL);
  if (b->rb == NULL)
    return hr_error_set (err, errno, "open the sandbox's ring buffer");
  if (attach (b, cfg) < 0)
    return hr_error_plain (err, EPERM, "attach the network allow-list to the container's cgroup");
  clock_gettime (CLOCK_REALTIME, &rt);
  clock_gettime (CLOCK_MONOTONIC, &mono);
  b->dec.realtime_offset = (int64_t) (rt.tv_sec - mono.tv_sec) * 1000000000 + (rt.tv_nsec - mono.tv_nsec);
  b->dec.monitored = xmalloc0 ((cfg->n_monitored + 1) * sizeof *b->dec.monitored);
  for (size_t i = 0; i < cfg->n_monitored; i++)
    b->dec.monitored[i] = xstrdup (cfg->monitored[i]);
  b->dec.n_monitored = cfg->n_monitored;
  *out = TAKE_PTR (b);
  return 0;
}

int
hr_sandbox_bpf_fd (const struct hr_sandbox_bpf *b)
{
  return ring_buffer__epoll_fd (b->rb);
}

void
hr_sandbox_bpf_features_of (const struct hr_sandbox_bpf *b, struct hr_bpf_features *out)
{
  *out = b->have;
}

void
hr_sandbox_bpf_free (struct hr_sandbox_bpf *b)
{
  if (b == NULL)
    return;
  ring_buffer__free (b->rb);
  for (size_t i = 0; i < b->n_links; i++)
    bpf_link__destroy (b->links[i]);
  free (b->links);
  /* The cgroup programs stay with the cgroup (they hold their own
     reference to the maps they use). */
  sandbox_bpf__destroy (b->skel);
  for (size_t i = 0; i < b->dec.n_monitored; i++)
    free (b->dec.monitored[i]);
  free (b->dec.monitored);
  free (b);
}

int
hr_sandbox_bpf_consume (struct hr_sandbox_bpf *b, int (*cb) (const struct hr_audit_record *, void *), void *arg,
                        hr_err *err)
{
  int r;

  b->cb = cb;
  b->arg = arg;
  b->count = 0;
  b->stopped = false;
  r = ring_buffer__consume (b->rb);
  if (r < 0 && !b->stopped)
    return hr_error_set (err, -r, "read the sandbox's ring buffer");
  return b->count;
}
