/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The conversation with CRIU (criu.h): `criu swrk 3` as our child, one
 * protobuf message per SEQPACKET datagram each way.
 */
#include <config.h>
#include "checkpoint/criu.h"
#include "cleanup.h"
#include "log.h"
#include "state/state.h"
#include "util.h"

#include <criu/rpc.pb-c.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* libcriu (its generated rpc.proto code; protobuf-c comes with it as its
   dependency), loaded with dlopen(3) the first time CRIU is needed, as
   the systemd driver loads libsystemd (cgroups/sdbus.h): linked, the two
   libraries cost every `run` their mapping and relocation (+6 % wall
   time, +88 KiB RSS measured with bench/compare-builds), although only
   checkpoint and restore use them.  The header still gives every call
   its exact prototype. */
#define HR_LIBCRIU_SONAME "libcriu.so.2"
#define HR_CRIU_SYMBOLS(X)                                                                                            \
  X (criu_req__init)                                                                                                   \
  X (criu_req__get_packed_size)                                                                                        \
  X (criu_req__pack)                                                                                                   \
  X (criu_resp__unpack)                                                                                                \
  X (criu_resp__free_unpacked)                                                                                         \
  X (criu_opts__init)                                                                                                  \
  X (criu_page_server_info__init)                                                                                      \
  X (criu_features__init)                                                                                              \
  X (ext_mount_map__init)                                                                                              \
  X (inherit_fd__init)                                                                                                 \
  X (join_namespace__init)                                                                                             \
  X (cgroup_root__init)

static struct
{
#define HR_CRIU_FIELD(name) __typeof__ (name) *name;
  HR_CRIU_SYMBOLS (HR_CRIU_FIELD)
#undef HR_CRIU_FIELD
} pb;

static int
load_libcriu (hr_err *err)
{
  static void *handle;

  if (handle)
    return 0;
  /* RTLD_LOCAL: nothing of libcriu interposes on the runtime's symbols. */
  void *h = dlopen (HR_LIBCRIU_SONAME, RTLD_NOW | RTLD_LOCAL);
  if (h == NULL)
    return hr_error_plain (err, ENOENT, "checkpoint/restore: cannot load %s (Debian package criu): %s",
                           HR_LIBCRIU_SONAME, dlerror ());
#define HR_CRIU_RESOLVE(name)                                                                                          \
  if ((pb.name = (__typeof__ (pb.name)) dlsym (h, #name)) == NULL)                                                     \
    {                                                                                                                  \
      dlclose (h);                                                                                                     \
      return hr_error_plain (err, ENOSYS, "checkpoint/restore: %s has no %s", HR_LIBCRIU_SONAME, #name);              \
    }
  HR_CRIU_SYMBOLS (HR_CRIU_RESOLVE)
#undef HR_CRIU_RESOLVE
  handle = h;
  return 0;
}

/* CRIU's largest answer is a notification or a version, well under this;
   a datagram that fills it is refused as truncated, never parsed. */
#define CRIU_MSG_MAX (64 * 1024)

int
hr_criu_cg_mode_parse (const char *s)
{
  if (s == NULL || *s == '\0')
    return HR_CRIU_CG_DEFAULT;
  if (strcmp (s, "soft") == 0)
    return HR_CRIU_CG_SOFT;
  if (strcmp (s, "full") == 0)
    return HR_CRIU_CG_FULL;
  if (strcmp (s, "strict") == 0)
    return HR_CRIU_CG_STRICT;
  if (strcmp (s, "ignore") == 0)
    return HR_CRIU_CG_IGNORE;
  return -1;
}

static void
pairs_free (struct hr_criu_pair *p, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      free (p[i].key);
      free (p[i].val);
    }
  free (p);
}

void
hr_criu_req_clear (struct hr_criu_req *req)
{
  pairs_free (req->ext_mnt, req->n_ext_mnt);
  pairs_free (req->join_ns, req->n_join_ns);
  pairs_free (req->cg_root, req->n_cg_root);
  for (size_t i = 0; i < req->n_external; i++)
    free (req->external[i]);
  free (req->external);
  for (size_t i = 0; i < req->n_inherit; i++)
    free (req->inherit[i].key);
  free (req->inherit);
  free (req->ps_config);
  req->ps_config = NULL;
  req->ext_mnt = req->join_ns = req->cg_root = NULL;
  req->external = NULL;
  req->inherit = NULL;
  req->n_ext_mnt = req->n_join_ns = req->n_cg_root = req->n_external = req->n_inherit = 0;
}

static void
pairs_add (struct hr_criu_pair **p, size_t *n, const char *key, const char *val)
{
  *p = xrealloc (*p, (*n + 1) * sizeof (**p));
  (*p)[*n].key = key ? xstrdup (key) : NULL;
  (*p)[*n].val = xstrdup (val);
  (*n)++;
}

void
hr_criu_req_add_ext_mnt (struct hr_criu_req *req, const char *key, const char *val)
{
  /* One entry per key: CRIU refuses a mount it was told about twice. */
  for (size_t i = 0; i < req->n_ext_mnt; i++)
    if (strcmp (req->ext_mnt[i].key, key) == 0)
      return;
  pairs_add (&req->ext_mnt, &req->n_ext_mnt, key, val);
}

void
hr_criu_req_add_external (struct hr_criu_req *req, char *owned)
{
  req->external = xrealloc (req->external, (req->n_external + 1) * sizeof (char *));
  req->external[req->n_external++] = owned;
}

void
hr_criu_req_add_inherit (struct hr_criu_req *req, const char *key, int fd)
{
  req->inherit = xrealloc (req->inherit, (req->n_inherit + 1) * sizeof (*req->inherit));
  req->inherit[req->n_inherit].key = xstrdup (key);
  req->inherit[req->n_inherit].fd = fd;
  req->n_inherit++;
}

void
hr_criu_req_add_join_ns (struct hr_criu_req *req, const char *ns, const char *file)
{
  pairs_add (&req->join_ns, &req->n_join_ns, ns, file);
}

void
hr_criu_req_add_cg_root (struct hr_criu_req *req, const char *ctrl, const char *path)
{
  pairs_add (&req->cg_root, &req->n_cg_root, ctrl, path);
}

/* The binary to run: --criu as given (it must be executable), else the
   first `criu` on PATH.  Found before anything is forked, so "not found"
   is an error of its own, not a dead child. */
static int
find_criu (const char *criu, char **out, hr_err *err)
{
  return hr_criu_binary (criu, out, err);
}

int
hr_criu_binary (const char *criu, char **out, hr_err *err)
{
  if (criu && *criu)
    {
      if (access (criu, X_OK) < 0)
        return hr_error_set (err, errno, "criu binary `%s`", criu);
      *out = xstrdup (criu);
      return 0;
    }
  *out = hr_find_program ("criu");
  if (*out)
    return 0;
  return hr_error_plain (err, ENOENT, "criu not found in PATH: checkpoint and restore need CRIU %d.%d or newer "
                                      "(install it, or pass its path with --criu)",
                         HR_CRIU_MIN_VERSION / 10000, HR_CRIU_MIN_VERSION / 100 % 100);
}

/* A running `criu swrk`: our end of the socket and its pid. */
struct swrk
{
  int sk;
  pid_t pid;
};

static void
swrk_finish (struct swrk *s, int *status)
{
  if (s->sk >= 0)
    close (s->sk);
  s->sk = -1;
  if (s->pid > 0)
    {
      int st = 0;
      while (waitpid (s->pid, &st, 0) < 0 && errno == EINTR)
        ;
      if (status)
        *status = st;
    }
  s->pid = 0;
}

/* Fork and exec `criu swrk 3`: the socket at fd 3, the inherited fds at
   4 and up (in REQ's order), stdio as REQ says.  *ours maps each entry
   of req->inherit to the fd number CRIU will see. */
static int
swrk_start (const char *bin, const struct hr_criu_req *req, struct swrk *s, int *criu_fds, hr_err *err)
{
  int sp[2];
  _cleanup_close_ int devnull = -1;

  if (socketpair (AF_LOCAL, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
    return hr_error_set (err, errno, "socketpair for criu");
  devnull = open ("/dev/null", O_RDWR | O_CLOEXEC);
  if (devnull < 0)
    {
      close (sp[0]);
      close (sp[1]);
      return hr_error_set (err, errno, "open /dev/null");
    }
  int next = 4;
  for (size_t i = 0; i < req->n_inherit; i++)
    criu_fds[i] = req->inherit[i].fd < 3 ? req->inherit[i].fd : next++;
  /* The page server's socket, after the inherited fds. */
  int ps_at = req->ps_sock > 2 ? next++ : -1;
  if (criu_fds)
    criu_fds[req->n_inherit] = ps_at;

  s->pid = fork ();
  if (s->pid < 0)
    {
      int e = errno;
      close (sp[0]);
      close (sp[1]);
      return hr_error_set (err, e, "fork criu");
    }
  if (s->pid == 0)
    {
      /* Move every source above the targets first, so that no dup2 below
         overwrites a source still to be placed. */
      int base = next + 8;
      int srcs[3 + 1 + 64 + 1];
      size_t n = 0;
      for (int i = 0; i < 3; i++)
        srcs[n++] = fcntl (req->stdio[i] >= 0 ? req->stdio[i] : devnull, F_DUPFD, base);
      srcs[n++] = fcntl (sp[1], F_DUPFD, base);
      for (size_t i = 0; i < req->n_inherit && n < sizeof (srcs) / sizeof (srcs[0]) - 1; i++)
        srcs[n++] = req->inherit[i].fd < 3 ? -1 : fcntl (req->inherit[i].fd, F_DUPFD, base);
      int ps_src = ps_at >= 0 ? fcntl (req->ps_sock, F_DUPFD, base) : -1;
      for (int i = 0; i < 3; i++)
        if (srcs[i] < 0 || dup2 (srcs[i], i) < 0)
          _exit (126);
      if (srcs[3] < 0 || dup2 (srcs[3], 3) < 0)
        _exit (126);
      for (size_t i = 0; i < req->n_inherit; i++)
        if (req->inherit[i].fd >= 3 && (srcs[4 + i] < 0 || dup2 (srcs[4 + i], criu_fds[i]) < 0))
          _exit (126);
      if (ps_at >= 0 && (ps_src < 0 || dup2 (ps_src, ps_at) < 0))
        _exit (126);
      if (ps_src >= 0)
        close (ps_src);
      /* Everything else we hold is O_CLOEXEC; the moved copies are closed
         explicitly (they are not). */
      for (size_t i = 0; i < n; i++)
        if (srcs[i] >= 0)
          close (srcs[i]);
      sigset_t none;
      sigemptyset (&none);
      sigprocmask (SIG_SETMASK, &none, NULL);
      signal (SIGPIPE, SIG_DFL);
      execl (bin, "criu", "swrk", "3", (char *) NULL);
      _exit (127);
    }
  close (sp[1]);
  s->sk = sp[0];
  return 0;
}

static int
send_req (int sk, const CriuReq *req, hr_err *err)
{
  size_t len = pb.criu_req__get_packed_size (req);
  _cleanup_free_ uint8_t *buf = xmalloc0 (len ? len : 1);

  pb.criu_req__pack (req, buf);
  if (send (sk, buf, len, MSG_NOSIGNAL) != (ssize_t) len)
    return hr_error_set (err, errno, "send request to criu");
  return 0;
}

/* One answer, with at most one fd passed alongside (*fd, else -1). */
static int
recv_resp (int sk, CriuResp **out, int *fd, hr_err *err)
{
  _cleanup_free_ uint8_t *buf = xmalloc0 (CRIU_MSG_MAX);
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } ctl;
  struct iovec iov = { buf, CRIU_MSG_MAX };
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof (ctl.buf) };
  ssize_t n;

  *fd = -1;
  do
    n = recvmsg (sk, &mh, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return hr_error_set (err, errno, "read from criu");
  for (struct cmsghdr *c = CMSG_FIRSTHDR (&mh); c; c = CMSG_NXTHDR (&mh, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len == CMSG_LEN (sizeof (int)))
      memcpy (fd, CMSG_DATA (c), sizeof (int));
  if (n == 0)
    {
      if (*fd >= 0)
        close (*fd);
      *fd = -1;
      return hr_error_plain (err, EPIPE, "criu exited without an answer");
    }
  if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
    {
      if (*fd >= 0)
        close (*fd);
      *fd = -1;
      return hr_error_plain (err, EMSGSIZE, "answer from criu truncated");
    }
  *out = pb.criu_resp__unpack (NULL, (size_t) n, buf);
  if (*out == NULL)
    {
      if (*fd >= 0)
        close (*fd);
      *fd = -1;
      return hr_error_plain (err, EPROTO, "malformed answer from criu");
    }
  return 0;
}

static void
resp_freep (CriuResp **r)
{
  if (*r)
    pb.criu_resp__free_unpacked (*r, NULL);
}

static const char *
req_type_name (CriuReqType t)
{
  switch (t)
    {
    case CRIU_REQ_TYPE__DUMP:
      return "DUMP";
    case CRIU_REQ_TYPE__RESTORE:
      return "RESTORE";
    case CRIU_REQ_TYPE__PRE_DUMP:
      return "PRE_DUMP";
    case CRIU_REQ_TYPE__NOTIFY:
      return "NOTIFY";
    case CRIU_REQ_TYPE__VERSION:
      return "VERSION";
    case CRIU_REQ_TYPE__FEATURE_CHECK:
      return "FEATURE_CHECK";
    default:
      return "?";
    }
}

static int
version_number (const CriuVersion *v)
{
  int n = v->major_number * 10000 + v->minor_number * 100 + (v->has_sublevel ? v->sublevel : 0);
  /* libcriu and go-criu: a build from git counts as the next minor. */
  if (v->gitid && *v->gitid)
    n = n - n % 100 + 100;
  return n;
}

/* VERSION on an open connection (kept open for the next request). */
static int
ask_version (int sk, int *version, hr_err *err)
{
  CriuReq req;
  _cleanup_ (resp_freep) CriuResp *resp = NULL;
  int fd;

  pb.criu_req__init (&req);
  req.type = CRIU_REQ_TYPE__VERSION;
  req.has_keep_open = true;
  req.keep_open = true;
  if (send_req (sk, &req, err) < 0 || recv_resp (sk, &resp, &fd, err) < 0)
    return hr_error_wrap (err, "ask criu for its version");
  if (fd >= 0)
    close (fd);
  if (resp->type != CRIU_REQ_TYPE__VERSION || !resp->success || resp->version == NULL)
    return hr_error_plain (err, EPROTO, "criu did not tell its version (older than %d.%d?)",
                           HR_CRIU_MIN_VERSION / 10000, HR_CRIU_MIN_VERSION / 100 % 100);
  *version = version_number (resp->version);
  return 0;
}

static int
check_version (int sk, const char *bin, hr_err *err)
{
  int v = 0;

  if (ask_version (sk, &v, err) < 0)
    return -1;
  hr_debug ("criu %s: version %d", bin, v);
  if (v < HR_CRIU_MIN_VERSION)
    return hr_error_plain (err, ENOTSUP, "criu %s is version %d.%d.%d; checkpoint and restore need %d.%d or newer",
                           bin, v / 10000, v / 100 % 100, v % 100, HR_CRIU_MIN_VERSION / 10000,
                           HR_CRIU_MIN_VERSION / 100 % 100);
  return 0;
}

/* FEATURE_CHECK for what the request needs (runc checkCriuFeatures). */
static int
check_features (int sk, const struct hr_criu_needs *needs, hr_err *err)
{
  CriuReq req;
  CriuFeatures want;
  _cleanup_ (resp_freep) CriuResp *resp = NULL;
  int fd;

  if (needs == NULL || (!needs->mem_track && !needs->lazy_pages))
    return 0;
  pb.criu_req__init (&req);
  pb.criu_features__init (&want);
  want.has_mem_track = needs->mem_track;
  want.mem_track = needs->mem_track;
  want.has_lazy_pages = needs->lazy_pages;
  want.lazy_pages = needs->lazy_pages;
  req.type = CRIU_REQ_TYPE__FEATURE_CHECK;
  req.features = &want;
  req.has_keep_open = true;
  req.keep_open = true;
  if (send_req (sk, &req, err) < 0 || recv_resp (sk, &resp, &fd, err) < 0)
    return hr_error_wrap (err, "criu feature check");
  if (fd >= 0)
    close (fd);
  if (resp->type != CRIU_REQ_TYPE__FEATURE_CHECK || !resp->success || resp->features == NULL)
    return hr_error_plain (err, ENOTSUP, "criu feature check failed");
  const CriuFeatures *f = resp->features;
  if (needs->mem_track && !(f->has_mem_track && f->mem_track))
    return hr_error_plain (err, ENOTSUP,
                           "criu feature check: memory tracking (soft-dirty) is not available on this kernel; "
                           "--pre-dump and --parent-path need it");
  if (needs->lazy_pages && !(f->has_lazy_pages && f->lazy_pages))
    return hr_error_plain (err, ENOTSUP,
                           "criu feature check: lazy pages (userfaultfd with non-cooperative events) are not "
                           "available on this kernel");
  return 0;
}

int
hr_criu_version (const char *criu, int *version, hr_err *err)
{
  _cleanup_free_ char *bin = NULL;
  struct hr_criu_req none = { .stdio = { -1, -1, -1 } };
  struct swrk s = { .sk = -1 };
  int r;

  if (load_libcriu (err) < 0 || find_criu (criu, &bin, err) < 0 || swrk_start (bin, &none, &s, NULL, err) < 0)
    return -1;
  r = ask_version (s.sk, version, err);
  swrk_finish (&s, NULL);
  return r;
}

/* CRIU's log is the record of a failure: quote its Error lines (runc
   logCriuErrors, since 1.2), at most a screenful. */
static void
wrap_log_errors (hr_err *err, int work_fd, const char *log_file)
{
  _cleanup_free_ char *data = NULL;
  size_t len = 0, shown = 0;
  hr_err ignored = NULL;

  if (err == NULL || *err == NULL || work_fd < 0 || log_file == NULL)
    return;
  if (hr_read_file_at (work_fd, log_file, 16 << 20, &data, &len, &ignored) < 0)
    {
      hr_error_free (&ignored);
      return;
    }
  _cleanup_free_ char *lines = xstrdup ("");
  char *save = NULL;
  for (char *l = strtok_r (data, "\n", &save); l && shown < 20; l = strtok_r (NULL, "\n", &save))
    /* (CRIU without CAP_SYS_RESOURCE always logs that it cannot raise
       RLIMIT_NOFILE, an Error line that changes nothing; quoted, its
       "Operation not permitted" makes Podman report every failure as
       "OCI permission denied") */
    if (strstr (l, "Error") != NULL && strstr (l, "RLIMIT_NOFILE") == NULL)
      {
        char *joined = xasprintf ("%s\n  %s", lines, l);
        free (lines);
        lines = joined;
        shown++;
      }
  _cleanup_free_ char *link = xasprintf ("/proc/self/fd/%d", work_fd);
  char dir[4096];
  ssize_t n = readlink (link, dir, sizeof (dir) - 1);
  dir[n > 0 ? n : 0] = '\0';
  char *msg = xasprintf ("%s\nlog file: %s/%s%s%s", (*err)->msg, dir, log_file, shown ? "\ncriu errors:" : "", lines);
  free ((*err)->msg);
  (*err)->msg = msg;
}

static void
fill_opts (const struct hr_criu_req *r, const int *criu_fds, CriuOpts *o, ExtMountMap *mnt, ExtMountMap **pmnt,
           InheritFd *inh, InheritFd **pinh, JoinNamespace *jn, JoinNamespace **pjn, CgroupRoot *cg,
           CgroupRoot **pcg, CriuPageServerInfo *ps)
{
  o->images_dir_fd = r->images_fd;
  if (r->work_fd >= 0)
    {
      o->has_work_dir_fd = true;
      o->work_dir_fd = r->work_fd;
    }
  o->has_log_level = true;
  o->log_level = 4;
  o->log_file = (char *) r->log_file;
  o->root = (char *) r->root;
  o->has_notify_scripts = true;
  o->notify_scripts = true;
  if (r->pid > 0)
    {
      o->has_pid = true;
      o->pid = r->pid;
    }
  o->freeze_cgroup = (char *) r->freeze_cgroup;
  o->parent_img = (char *) r->parent_img;
  o->config_file = (char *) r->config_file;
  o->lsm_profile = (char *) r->lsm_profile;
  o->lsm_mount_context = (char *) r->lsm_mount_context;
#define FLAG(name)                                                                                                    \
  if (r->name)                                                                                                        \
    {                                                                                                                 \
      o->has_##name = true;                                                                                           \
      o->name = true;                                                                                                 \
    }
  FLAG (leave_running)
  FLAG (tcp_established)
  FLAG (tcp_skip_in_flight)
  FLAG (tcp_close)
  FLAG (link_remap)
  FLAG (ext_unix_sk)
  FLAG (shell_job)
  FLAG (file_locks)
  FLAG (track_mem)
  FLAG (auto_dedup)
  FLAG (lazy_pages)
  FLAG (orphan_pts_master)
  FLAG (rst_sibling)
  FLAG (evasive_devices)
#undef FLAG
  /* runc always sends the obsolete manage_cgroups as well. */
  o->has_manage_cgroups = true;
  o->manage_cgroups = true;
  if (r->cg_mode != HR_CRIU_CG_DEFAULT)
    {
      static const CriuCgMode modes[] = { [HR_CRIU_CG_SOFT] = CRIU_CG_MODE__SOFT,
                                          [HR_CRIU_CG_FULL] = CRIU_CG_MODE__FULL,
                                          [HR_CRIU_CG_STRICT] = CRIU_CG_MODE__STRICT,
                                          [HR_CRIU_CG_IGNORE] = CRIU_CG_MODE__IGNORE };
      o->has_manage_cgroups_mode = true;
      o->manage_cgroups_mode = modes[r->cg_mode];
    }
  if (r->empty_ns)
    {
      o->has_empty_ns = true;
      o->empty_ns = r->empty_ns;
    }
  if (r->ps_address)
    {
      ps->address = (char *) r->ps_address;
      ps->has_port = true;
      ps->port = r->ps_port;
      o->ps = ps;
    }
  /* A connected socket instead of TCP (swrk only: cr-service.c takes
     ps.fd as a number in CRIU's own table).  A lazy dump ignores ps.fd;
     it reads "ps-socket" from the configuration file (hr_criu_run). */
  if (r->ps_sock > 2 && !r->lazy_pages)
    {
      ps->has_fd = true;
      ps->fd = criu_fds[r->n_inherit];
      o->ps = ps;
    }
  for (size_t i = 0; i < r->n_ext_mnt; i++)
    {
      pb.ext_mount_map__init (&mnt[i]);
      mnt[i].key = r->ext_mnt[i].key;
      mnt[i].val = r->ext_mnt[i].val;
      pmnt[i] = &mnt[i];
    }
  o->n_ext_mnt = r->n_ext_mnt;
  o->ext_mnt = pmnt;
  for (size_t i = 0; i < r->n_inherit; i++)
    {
      pb.inherit_fd__init (&inh[i]);
      inh[i].key = r->inherit[i].key;
      inh[i].fd = criu_fds[i];
      pinh[i] = &inh[i];
    }
  o->n_inherit_fd = r->n_inherit;
  o->inherit_fd = pinh;
  for (size_t i = 0; i < r->n_join_ns; i++)
    {
      pb.join_namespace__init (&jn[i]);
      jn[i].ns = r->join_ns[i].key;
      jn[i].ns_file = r->join_ns[i].val;
      pjn[i] = &jn[i];
    }
  o->n_join_ns = r->n_join_ns;
  o->join_ns = pjn;
  for (size_t i = 0; i < r->n_cg_root; i++)
    {
      pb.cgroup_root__init (&cg[i]);
      cg[i].ctrl = r->cg_root[i].key;
      cg[i].path = r->cg_root[i].val;
      pcg[i] = &cg[i];
    }
  o->n_cg_root = r->n_cg_root;
  o->cg_root = pcg;
  o->n_external = r->n_external;
  o->external = r->external;
}

/* Send the request and serve CRIU until it answers it. */
static int
converse (int sk, const struct hr_criu_req *r, const int *criu_fds, const struct hr_criu_callbacks *cb,
          pid_t *restored, hr_err *err)
{
  static const CriuReqType types[] = { [HR_CRIU_DUMP] = CRIU_REQ_TYPE__DUMP,
                                       [HR_CRIU_PRE_DUMP] = CRIU_REQ_TYPE__PRE_DUMP,
                                       [HR_CRIU_RESTORE] = CRIU_REQ_TYPE__RESTORE };
  CriuReq req;
  CriuOpts opts;
  CriuPageServerInfo ps;
  size_t nm = r->n_ext_mnt ? r->n_ext_mnt : 1, ni = r->n_inherit ? r->n_inherit : 1;
  size_t nj = r->n_join_ns ? r->n_join_ns : 1, nc = r->n_cg_root ? r->n_cg_root : 1;
  _cleanup_free_ ExtMountMap *mnt = xmalloc0 (nm * sizeof (*mnt));
  _cleanup_free_ ExtMountMap **pmnt = xmalloc0 (nm * sizeof (*pmnt));
  _cleanup_free_ InheritFd *inh = xmalloc0 (ni * sizeof (*inh));
  _cleanup_free_ InheritFd **pinh = xmalloc0 (ni * sizeof (*pinh));
  _cleanup_free_ JoinNamespace *jn = xmalloc0 (nj * sizeof (*jn));
  _cleanup_free_ JoinNamespace **pjn = xmalloc0 (nj * sizeof (*pjn));
  _cleanup_free_ CgroupRoot *cg = xmalloc0 (nc * sizeof (*cg));
  _cleanup_free_ CgroupRoot **pcg = xmalloc0 (nc * sizeof (*pcg));
  hr_err cb_err = NULL;

  pb.criu_req__init (&req);
  pb.criu_opts__init (&opts);
  pb.criu_page_server_info__init (&ps);
  fill_opts (r, criu_fds, &opts, mnt, pmnt, inh, pinh, jn, pjn, cg, pcg, &ps);
  req.type = types[r->action];
  req.opts = &opts;
  if (send_req (sk, &req, err) < 0)
    return -1;

  for (;;)
    {
      _cleanup_ (resp_freep) CriuResp *resp = NULL;
      int fd = -1;

      if (recv_resp (sk, &resp, &fd, err) < 0)
        {
          if (cb_err)
            {
              hr_error_free (err);
              *err = TAKE_PTR (cb_err);
            }
          return -1;
        }
      if (resp->type == CRIU_REQ_TYPE__NOTIFY && resp->notify)
        {
          const char *script = resp->notify->script ? resp->notify->script : "";
          pid_t pid = resp->notify->has_pid ? resp->notify->pid : 0;
          int ok = 0;
          hr_debug ("criu notification %s (pid %d)", script, (int) pid);
          if (cb_err == NULL && cb && cb->notify)
            ok = cb->notify (script, pid, fd, cb->data, &cb_err);
          else if (fd >= 0)
            close (fd);
          CriuReq ack;
          pb.criu_req__init (&ack);
          ack.type = CRIU_REQ_TYPE__NOTIFY;
          ack.has_notify_success = true;
          ack.notify_success = ok == 0;
          if (send_req (sk, &ack, err) < 0)
            {
              if (cb_err)
                {
                  hr_error_free (err);
                  *err = TAKE_PTR (cb_err);
                }
              return -1;
            }
          continue;
        }
      if (fd >= 0)
        close (fd);
      if (resp->type != req.type)
        {
          hr_error_free (&cb_err);
          return hr_error_plain (err, EPROTO, "unexpected %s answer from criu", req_type_name (resp->type));
        }
      if (cb_err)
        {
          *err = cb_err;
          return -1;
        }
      if (!resp->success)
        {
          int e = resp->has_cr_errno ? resp->cr_errno : 0;
          /* (cr_errmsg is the log's first Error line, often the harmless
             RLIMIT_NOFILE one: the lines quoted from the log say more) */
          return hr_error_plain (err, e ? e : EIO, "criu failed: type %s errno %d", req_type_name (resp->type), e);
        }
      if (restored && resp->restore)
        *restored = resp->restore->pid;
      return 0;
    }
}

/* A lazy dump takes its page server socket only from a configuration
   file ("ps-socket N": cr-service.c skips ps.fd with lazy_pages, and the
   RPC's config_file is parsed after the request).  The file is the
   container's own CRIU configuration plus that line, in the work
   directory, named to CRIU through our /proc fd path (as the directories
   are). */
static int
lazy_ps_config (struct hr_criu_req *req, int criu_fd, hr_err *err)
{
  _cleanup_free_ char *base = NULL, *text = NULL;
  size_t len = 0;
  int dir = req->work_fd >= 0 ? req->work_fd : req->images_fd;

  if (req->config_file)
    {
      _cleanup_close_ int fd = open (req->config_file, O_RDONLY | O_CLOEXEC);
      if (fd >= 0 && hr_read_all (fd, 1 << 20, &base, &len, err) < 0)
        return -1;
    }
  text = xasprintf ("%s%sps-socket %d\n", base ? base : "", base && len && base[len - 1] != '\n' ? "\n" : "",
                    criu_fd);
  if (hr_state_write_file (dir, HR_CRIU_PS_CONFIG, text, strlen (text), err) < 0)
    return -1;
  free (req->ps_config);
  req->ps_config = xasprintf ("/proc/%d/fd/%d/%s", (int) getpid (), dir, HR_CRIU_PS_CONFIG);
  req->config_file = req->ps_config;
  return 0;
}

int
hr_criu_run (const char *criu, struct hr_criu_req *req, const struct hr_criu_needs *needs,
             const struct hr_criu_callbacks *cb, pid_t *restored, hr_err *err)
{
  _cleanup_free_ char *bin = NULL;
  _cleanup_free_ int *criu_fds = xmalloc0 ((req->n_inherit + 2) * sizeof (int));
  struct swrk s = { .sk = -1 };
  int status = 0, r;

  if (load_libcriu (err) < 0 || find_criu (criu, &bin, err) < 0)
    return -1;
  if (req->n_inherit > 64)
    return hr_error_plain (err, E2BIG, "too many descriptors for criu to inherit");
  if (swrk_start (bin, req, &s, criu_fds, err) < 0)
    return -1;
  if (req->ps_sock > 2 && req->lazy_pages && lazy_ps_config (req, criu_fds[req->n_inherit], err) < 0)
    {
      swrk_finish (&s, NULL);
      return -1;
    }
  r = check_version (s.sk, bin, err);
  if (r == 0)
    r = check_features (s.sk, needs, err);
  if (r == 0 && cb && cb->spawned)
    r = cb->spawned (s.pid, req, cb->data, err);
  if (r == 0)
    {
      r = converse (s.sk, req, criu_fds, cb, restored, err);
      if (r < 0)
        wrap_log_errors (err, req->work_fd >= 0 ? req->work_fd : req->images_fd, req->log_file);
    }
  swrk_finish (&s, &status);
  /* A pre-dump answers before CRIU is done with its own cleanup; runc
     tolerates its exit status (criu_linux.go). */
  if (r == 0 && req->action != HR_CRIU_PRE_DUMP && !(WIFEXITED (status) && WEXITSTATUS (status) == 0))
    {
      if (WIFEXITED (status))
        r = hr_error_plain (err, EIO, "criu exited with status %d", WEXITSTATUS (status));
      else
        r = hr_error_plain (err, EIO, "criu killed by signal %d", WTERMSIG (status));
      wrap_log_errors (err, req->work_fd >= 0 ? req->work_fd : req->images_fd, req->log_file);
    }
  return r;
}
