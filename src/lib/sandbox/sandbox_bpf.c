/* SPDX-License-Identifier: Apache-2.0 */
/* The sandbox's eBPF loader: see sandbox_bpf.h and bpf/sandbox.bpf.c. */
#include <config.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
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
#include "src/lib/sandbox/bpf/gen/sandbox.skel.h"

#define HR_MAX_ARGV 64
/* a record's path, joined from at most HR_EV_COMPS components and a user
   string */
#define HR_PATH_TEXT (HR_EV_COMPS * (HR_EV_COMP + 1) + HR_EV_PATH + 8)

struct hr_sandbox_bpf
{
  struct sandbox_bpf *skel;
  struct ring_buffer *rb;
  struct bpf_link **links;         /* tracepoints, LSM hook */
  size_t n_links;
  struct hr_bpf_features have;     /* what is loaded and attached */
  bool detailed;
  char **monitored;                /* copies of cfg->monitored */
  size_t n_monitored;
  int64_t realtime_offset;         /* CLOCK_REALTIME - CLOCK_MONOTONIC, ns */
  /* consume's state: the callback, and the buffers the record's strings
     point into (valid during the callback only) */
  int (*cb) (const struct hr_audit_record *, void *);
  void *arg;
  int count;
  bool stopped;
  char path[HR_PATH_TEXT];
  char args[HR_EV_ARGS + 1];
  const char *argv[HR_MAX_ARGV + 1];
  char what[HR_PATH_TEXT + 128];
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

int
hr_sandbox_bpf_probe (struct hr_bpf_features *out)
{
  memset (out, 0, sizeof *out);
  out->tracepoints = libbpf_probe_bpf_prog_type (BPF_PROG_TYPE_TRACEPOINT, NULL) == 1;
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

static bool
is_tracepoint (const struct bpf_program *p)
{
  return bpf_program__type (p) == BPF_PROG_TYPE_TRACEPOINT;
}

static bool
is_syscall_tp (const struct bpf_program *p)
{
  return is_tracepoint (p) && strncmp (bpf_program__section_name (p), "tp/syscalls/", 12) == 0;
}

/* Open the skeleton and say what is to be loaded. */
static struct sandbox_bpf *
open_skel (const struct hr_bpf_config *cfg, const struct hr_bpf_features *f, uint64_t cg_id, uint32_t cg_level,
           bool lsm, hr_err *err)
{
  struct sandbox_bpf *s = sandbox_bpf__open ();
  struct bpf_program *p;
  bool guard = cfg->n_blocked > 0;
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
              net_ok++;
          continue;
        }
      struct bpf_link *l = bpf_program__attach (p);
      if (l == NULL)
        {
          /* A syscall some architecture does not have (open, creat...
             on arm64) leaves its event out; the exec tracepoint and the
             LSM hook are the ones that count. */
          if (p == s->progs.hr_exec)
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
     report says is filtered. */
  return net_ok == net_want || !cfg->net_filter ? 0 : -1;
}

static int handle_event (void *ctx, void *data, size_t size);

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
  b->detailed = cfg->detailed;
  b->have.ringbuf = true;
  b->have.tracepoints = f.tracepoints && (cfg->audit || cfg->n_blocked > 0 || cfg->monitor_files);
  lsm = f.bpf_lsm && cfg->n_blocked > 0;
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

  if (attach (b, cfg) < 0)
    return hr_error_plain (err, EPERM, "attach the network allow-list to the container's cgroup");

  b->rb = ring_buffer__new (bpf_map__fd (b->skel->maps.events), handle_event, b, NULL);
  if (b->rb == NULL)
    return hr_error_set (err, errno, "open the sandbox's ring buffer");
  clock_gettime (CLOCK_REALTIME, &rt);
  clock_gettime (CLOCK_MONOTONIC, &mono);
  b->realtime_offset = (int64_t) (rt.tv_sec - mono.tv_sec) * 1000000000 + (rt.tv_nsec - mono.tv_nsec);
  b->monitored = xmalloc0 ((cfg->n_monitored + 1) * sizeof *b->monitored);
  for (size_t i = 0; i < cfg->n_monitored; i++)
    b->monitored[i] = xstrdup (cfg->monitored[i]);
  b->n_monitored = cfg->n_monitored;
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
  for (size_t i = 0; i < b->n_monitored; i++)
    free (b->monitored[i]);
  free (b->monitored);
  free (b);
}

/* ---- decode ---- */

static const char *const sc_names[HR_SC_MAX] = {
  [HR_SC_SETUID] = "setuid", [HR_SC_SETGID] = "setgid", [HR_SC_SETREUID] = "setreuid",
  [HR_SC_SETREGID] = "setregid", [HR_SC_SETRESUID] = "setresuid", [HR_SC_SETRESGID] = "setresgid",
  [HR_SC_SETFSUID] = "setfsuid", [HR_SC_SETFSGID] = "setfsgid", [HR_SC_CAPSET] = "capset",
  [HR_SC_EXECVE] = "execve", [HR_SC_EXECVEAT] = "execveat", [HR_SC_OPEN] = "open",
  [HR_SC_OPENAT] = "openat", [HR_SC_OPENAT2] = "openat2", [HR_SC_CREAT] = "creat",
  [HR_SC_UNLINK] = "unlink", [HR_SC_UNLINKAT] = "unlinkat", [HR_SC_RMDIR] = "rmdir",
  [HR_SC_MKDIR] = "mkdir", [HR_SC_MKDIRAT] = "mkdirat", [HR_SC_RENAME] = "rename",
  [HR_SC_RENAMEAT] = "renameat", [HR_SC_RENAMEAT2] = "renameat2", [HR_SC_CONNECT] = "connect",
  [HR_SC_SENDMSG] = "sendmsg",
};

static const char *const rule_names[] = {
  [HR_RULE_WRITABLE] = "writable_paths", [HR_RULE_BLOCKED] = "blocked_commands",
  [HR_RULE_EXEC] = "executable_paths", [HR_RULE_INTERNET] = "allow_internet",
  [HR_RULE_SUDO] = "allow_sudo",
};

static const char *const op_names[] = {
  [HR_OP_CREATE] = "create", [HR_OP_MODIFY] = "modify", [HR_OP_DELETE] = "delete", [HR_OP_RENAME] = "rename",
};

/* Lexically clean an absolute path in place: "//", "/./" and "x/.."
   (a path the BPF side joined from a directory and a user string). */
static void
clean_path (char *p)
{
  char *out = p, *in = p;

  if (*p != '/')
    return;
  while (*in)
    {
      while (*in == '/')
        in++;
      if (*in == 0)
        break;
      size_t len = strcspn (in, "/");
      if (len == 1 && in[0] == '.')
        ;
      else if (len == 2 && in[0] == '.' && in[1] == '.')
        {
          while (out > p && *--out != '/')
            ;
        }
      else
        {
          *out++ = '/';
          memmove (out, in, len);
          out += len;
        }
      in += len;
    }
  if (out == p)
    *out++ = '/';
  *out = 0;
}

/* The record's path: a string as given, or the components the BPF side
   walked (leaf first) joined, with the string after them when it is
   relative to that directory. */
static void
build_path (struct hr_sandbox_bpf *b, const struct hr_bpf_event *e)
{
  char given[HR_EV_PATH + 1];
  size_t len = 0;

  memcpy (given, e->path, HR_EV_PATH);
  given[HR_EV_PATH] = 0;
  b->path[0] = 0;
  if (!e->walked)
    {
      snprintf (b->path, sizeof b->path, "%s", given);
      if (e->type == HR_EV_VIOLATION || e->type == HR_EV_FILE)
        clean_path (b->path);
      return;
    }
  if (e->truncated)
    len += snprintf (b->path + len, sizeof b->path - len, "/...");
  for (int i = e->n_comps < HR_EV_COMPS ? e->n_comps : HR_EV_COMPS; i-- > 0 && len < sizeof b->path;)
    len += snprintf (b->path + len, sizeof b->path - len, "/%.*s", HR_EV_COMP, e->comps[i]);
  if (given[0] && len < sizeof b->path)
    len += snprintf (b->path + len, sizeof b->path - len, "/%s", given);
  if (b->path[0] == 0)
    snprintf (b->path, sizeof b->path, "/");
  clean_path (b->path);
}

static bool
monitored (const struct hr_sandbox_bpf *b, const char *path)
{
  for (size_t i = 0; i < b->n_monitored; i++)
    {
      const char *m = b->monitored[i];
      size_t n = strlen (m);
      while (n > 1 && m[n - 1] == '/')
        n--;
      if (n == 1 && m[0] == '/')
        return true;
      if (strncmp (path, m, n) == 0 && (path[n] == 0 || path[n] == '/'))
        return true;
    }
  return false;
}

static void
decode_addr (const struct hr_bpf_event *e, struct hr_audit_record *r)
{
  static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

  r->family = e->family;
  r->port = e->port;
  if (memcmp (e->addr, mapped, sizeof mapped) == 0)
    inet_ntop (AF_INET, &e->addr[12], r->addr, sizeof r->addr);
  else
    inet_ntop (AF_INET6, e->addr, r->addr, sizeof r->addr);
}

static int
handle_event (void *ctx, void *data, size_t size)
{
  struct hr_sandbox_bpf *b = ctx;
  const struct hr_bpf_event *e = data;
  struct hr_audit_record r;
  int ret;

  if (size < sizeof *e || b->stopped)
    return 0;
  memset (&r, 0, sizeof r);
  r.time_ns = e->ts + b->realtime_offset;
  r.pid = e->pid;
  r.ppid = e->ppid;
  r.uid = e->uid;
  r.gid = e->gid;
  memcpy (r.comm, e->comm, sizeof r.comm);
  r.comm[sizeof r.comm - 1] = 0;
  r.err = e->err;
  r.syscall = e->sc < HR_SC_MAX ? sc_names[e->sc] : NULL;

  build_path (b, e);
  r.path = b->path[0] ? b->path : NULL;

  switch (e->type)
    {
    case HR_EV_EXEC:
      r.type = HR_AUDIT_EXEC;
      if (b->detailed && e->args_len > 0 && e->args_len < sizeof b->args)
        {
          memcpy (b->args, e->args, e->args_len);
          b->args[e->args_len] = 0;
          size_t n = 0;
          for (size_t i = 0; i < e->args_len && n < HR_MAX_ARGV; i += strlen (b->args + i) + 1)
            b->argv[n++] = b->args + i;
          b->argv[n] = NULL;
          r.argv = b->argv;
          r.argc = n;
        }
      break;
    case HR_EV_EXIT:
      r.type = HR_AUDIT_EXIT;
      r.exit_code = e->exit_code;
      r.path = NULL;
      break;
    case HR_EV_CONNECT:
      r.type = HR_AUDIT_CONNECT;
      r.path = NULL;
      decode_addr (e, &r);
      r.allowed = e->allowed;
      break;
    case HR_EV_FILE:
      r.type = HR_AUDIT_FILE;
      r.op = e->op < sizeof op_names / sizeof *op_names ? op_names[e->op] : NULL;
      if (r.path == NULL || r.op == NULL || !monitored (b, r.path))
        return 0;
      break;
    case HR_EV_PRIV:
      r.type = HR_AUDIT_PRIV;
      r.path = NULL;
      r.new_id = e->new_id;
      break;
    case HR_EV_VIOLATION:
      r.type = HR_AUDIT_VIOLATION;
      r.rule = e->rule < sizeof rule_names / sizeof *rule_names ? rule_names[e->rule] : NULL;
      switch (e->rule)
        {
        case HR_RULE_BLOCKED:
          {
            char name[HR_EV_NAME + 1];
            memcpy (name, e->name, HR_EV_NAME);
            name[HR_EV_NAME] = 0;
            const char *how = e->how == HR_HOW_DENIED ? "denied" : "killed before it ran";
            if (name[0])
              snprintf (b->what, sizeof b->what, "exec of %s as blocked command `%s` %s", r.path ? r.path : "?", name,
                        how);
            else
              snprintf (b->what, sizeof b->what, "exec of %s, the file of a blocked command, %s", r.path ? r.path : "?",
                        how);
            break;
          }
        case HR_RULE_INTERNET:
          decode_addr (e, &r);
          r.path = NULL;
          snprintf (b->what, sizeof b->what, "%s to %s%s%s:%u denied", r.syscall ? r.syscall : "connect",
                    e->family == AF_INET6 ? "[" : "", r.addr, e->family == AF_INET6 ? "]" : "", r.port);
          break;
        case HR_RULE_SUDO:
          r.new_id = e->new_id;
          r.path = NULL;
          snprintf (b->what, sizeof b->what, "%s(%ld): %s", r.syscall ? r.syscall : "?", r.new_id, strerror (r.err));
          break;
        default:
          snprintf (b->what, sizeof b->what, "%s %s%s: %s", r.syscall ? r.syscall : "?", r.path ? r.path : "?",
                    e->rule == HR_RULE_WRITABLE ? " for writing" : "", strerror (r.err));
        }
      r.what = b->what;
      break;
    default:
      return 0;
    }
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
