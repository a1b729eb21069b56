/* SPDX-License-Identifier: Apache-2.0 */
#include <config.h>
#include "kernel/landlock.h"
#include "cleanup.h"
#include "kernel/resolve.h"
#include "sandbox/blocked.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/landlock.h>

/* Debian 12's uapi headers stop at ABI 2: the later constants, as
   include/uapi/linux/landlock.h of Linux 6.12 defines them. */
#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#define SYS_landlock_add_rule 445
#define SYS_landlock_restrict_self 446
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#endif
#define HR_LANDLOCK_RULE_NET_PORT 2
#define HR_LANDLOCK_ACCESS_NET_CONNECT_TCP (1ULL << 1)
#define HR_LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#define HR_LANDLOCK_SCOPE_SIGNAL (1ULL << 1)

/* The ruleset attribute grew with the ABI (net in 4, scoped in 6); the
   kernel takes the size of the version it is given. */
struct hr_ruleset_attr
{
  uint64_t handled_access_fs;
  uint64_t handled_access_net;
  uint64_t scoped;
};

struct hr_net_port_attr
{
  uint64_t allowed_access;
  uint64_t port;
};

#define FS_ABI1 ((1ULL << 13) - 1) /* EXECUTE .. MAKE_SYM */
#define FS_FILE_RIGHTS                                                                                        \
  (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE                \
   | LANDLOCK_ACCESS_FS_TRUNCATE | LANDLOCK_ACCESS_FS_IOCTL_DEV)

int
hr_landlock_abi (void)
{
  long abi = syscall (SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
  /* ENOSYS: not built; EOPNOTSUPP: built but not in lsm= */
  return abi < 0 ? 0 : (int) abi;
}

static const char *const feature_names[HR_LL_N] = {
  [HR_LL_FS_WRITE] = "fs_write",
  [HR_LL_EXEC] = "exec",
  [HR_LL_REFER] = "refer",
  [HR_LL_TRUNCATE] = "truncate",
  [HR_LL_TCP_CONNECT] = "tcp_connect",
  [HR_LL_TCP_BIND] = "tcp_bind",
  [HR_LL_IOCTL_DEV] = "ioctl_dev",
  [HR_LL_SCOPE_ABSTRACT_UNIX] = "scope_abstract_unix_socket",
  [HR_LL_SCOPE_SIGNAL] = "scope_signal",
};

/* The ABI that brought each feature (Documentation/userspace-api/landlock.rst). */
static const int feature_abi[HR_LL_N] = {
  [HR_LL_FS_WRITE] = 1, [HR_LL_EXEC] = 1,         [HR_LL_REFER] = 2,
  [HR_LL_TRUNCATE] = 3, [HR_LL_TCP_CONNECT] = 4, [HR_LL_TCP_BIND] = 4, [HR_LL_IOCTL_DEV] = 5,
  [HR_LL_SCOPE_ABSTRACT_UNIX] = 6, [HR_LL_SCOPE_SIGNAL] = 6,
};

static const char *const missing_why[HR_LL_N] = {
  [HR_LL_FS_WRITE] = "the kernel has no Landlock: writes are confined only by the read-only rootfs",
  [HR_LL_EXEC] = "the kernel has no Landlock: execution is confined only by noexec on writable paths",
  [HR_LL_REFER] = "Landlock ABI < 2: rename and link across directories always fail (EXDEV)",
  [HR_LL_TRUNCATE] = "Landlock ABI < 3: truncate(2) is not confined",
  [HR_LL_TCP_CONNECT] = "Landlock ABI < 4: TCP ports are not confined by Landlock",
  [HR_LL_TCP_BIND] = "Landlock ABI < 4: TCP ports are not confined by Landlock",
  [HR_LL_IOCTL_DEV] = "Landlock ABI < 5: ioctl on device files is not confined",
  [HR_LL_SCOPE_ABSTRACT_UNIX] = "Landlock ABI < 6: abstract unix sockets outside the sandbox are reachable",
  [HR_LL_SCOPE_SIGNAL] = "Landlock ABI < 6: signals to processes outside the sandbox are not confined",
};

const char *
hr_landlock_feature_name (enum hr_landlock_feature f)
{
  return (unsigned) f < HR_LL_N ? feature_names[f] : "?";
}

/* An allow-list entry with port "*": Landlock's TCP rules know ports, not
   addresses, so they cannot narrow such a list (the eBPF allow-list does). */
static bool
allow_any_port (const struct hr_policy *p)
{
  for (size_t i = 0; i < p->n_allow; i++)
    if (p->allow[i].port == 0)
      return true;
  return false;
}

void
hr_landlock_lower (int abi, const struct hr_policy *p, struct hr_landlock_masks *m, struct hr_landlock_report *r)
{
  memset (m, 0, sizeof (*m));
  memset (r, 0, sizeof (*r));
  r->abi = abi;
  for (int f = 0; f < HR_LL_N; f++)
    r->state[f] = HR_LL_ENFORCED;

  /* The policy says where the sandbox may connect, not where it may
     listen: a server in it binds any port (of its own network namespace
     when internet is denied). */
  r->state[HR_LL_TCP_BIND] = HR_LL_NOT_ASKED;
  r->why[HR_LL_TCP_BIND] = "the policy has no rule for listening";
  /* TCP connect: only an allow-list needs it.  allow_internet true: no
     restriction; false: a network namespace with loopback only. */
  if (p->internet || p->n_allow == 0)
    {
      r->state[HR_LL_TCP_CONNECT] = HR_LL_NOT_ASKED;
      r->why[HR_LL_TCP_CONNECT] = p->internet ? "allow_internet: true" : "allow_internet: false (loopback only)";
    }
  else if (allow_any_port (p))
    {
      r->state[HR_LL_TCP_CONNECT] = HR_LL_NOT_ASKED;
      r->why[HR_LL_TCP_CONNECT] = "an allow_internet entry allows any port: left to the eBPF allow-list";
    }

  for (int f = 0; f < HR_LL_N; f++)
    if (r->state[f] == HR_LL_ENFORCED && abi < feature_abi[f])
      {
        r->state[f] = HR_LL_MISSING;
        r->why[f] = abi == 0 ? "the kernel has no Landlock (not built, or not in lsm=)" : missing_why[f];
        if (abi == 0 && (f == HR_LL_FS_WRITE || f == HR_LL_EXEC))
          r->why[f] = missing_why[f];
      }
  if (abi == 0)
    return;

  m->fs = FS_ABI1;
  if (abi >= 2)
    m->fs |= LANDLOCK_ACCESS_FS_REFER;
  if (abi >= 3)
    m->fs |= LANDLOCK_ACCESS_FS_TRUNCATE;
  if (abi >= 5)
    m->fs |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
  /* beneath writable_paths: everything but execution (they are noexec
     mounts too) */
  m->fs_write = m->fs & ~LANDLOCK_ACCESS_FS_EXECUTE;
  /* /dev: open the tty, /dev/null for writing; truncate (O_TRUNC of
     /dev/null in shells' redirections) and a tty's ioctls */
  m->fs_dev = m->fs & (LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_TRUNCATE | LANDLOCK_ACCESS_FS_IOCTL_DEV);
  if (r->state[HR_LL_TCP_CONNECT] == HR_LL_ENFORCED)
    m->net = HR_LANDLOCK_ACCESS_NET_CONNECT_TCP;
  if (abi >= 6)
    m->scoped = HR_LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | HR_LANDLOCK_SCOPE_SIGNAL;
}

bool
hr_landlock_report_incomplete (const struct hr_landlock_report *r)
{
  for (int f = 0; f < HR_LL_N; f++)
    if (r->state[f] == HR_LL_MISSING)
      return true;
  return false;
}

static void
json_string (FILE *f, const char *s)
{
  fputc ('"', f);
  for (; *s; s++)
    if (*s == '"' || *s == '\\')
      fprintf (f, "\\%c", *s);
    else if ((unsigned char) *s < 0x20)
      fprintf (f, "\\u%04x", (unsigned char) *s);
    else
      fputc (*s, f);
  fputc ('"', f);
}

char *
hr_landlock_report_json (const struct hr_landlock_report *r)
{
  static const char *const states[] = { "not-asked", "enforced", "missing" };
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&buf, &len);
  if (f == NULL)
    return NULL;
  fprintf (f, "{\"abi\":%d,\"features\":{", r->abi);
  for (int i = 0; i < HR_LL_N; i++)
    {
      fprintf (f, "%s\"%s\":{\"state\":\"%s\"", i ? "," : "", feature_names[i], states[r->state[i]]);
      if (r->why[i])
        {
          fputs (",\"why\":", f);
          json_string (f, r->why[i]);
        }
      fputc ('}', f);
    }
  fprintf (f, "},\"blocked\":{\"excluded\":%zu,\"multicall_left_to_ebpf\":%zu}}", r->blocked_excluded,
           r->blocked_multicall);
  if (fclose (f) != 0)
    {
      free (buf);
      return NULL;
    }
  return buf;
}

/* Building the ruleset. */

struct ctx
{
  int rootfd, ruleset;
  const struct hr_landlock_masks *m;
  const struct hr_blocked_exe *blocked;  /* dedicated ones only count */
  size_t n_blocked;
};

static int
add_path_rule (struct ctx *c, int fd, uint64_t access, const char *what, hr_err *err)
{
  struct landlock_path_beneath_attr a = { .allowed_access = access & c->m->fs, .parent_fd = fd };
  if (a.allowed_access == 0)
    return 0;
  if (syscall (SYS_landlock_add_rule, c->ruleset, LANDLOCK_RULE_PATH_BENEATH, &a, 0) < 0)
    return hr_error_set (err, errno, "landlock: add the rule for `%s`", what);
  return 0;
}

/* A path of the policy, inside the root: a rule for it, or nothing when
   the image has no such path. */
static int
add_rule_at (struct ctx *c, const char *path, uint64_t access, hr_err *err)
{
  hr_err e = NULL;
  _cleanup_close_ int fd = hr_open_in_root (c->rootfd, path, O_PATH, &e);
  if (fd < 0)
    {
      if (hr_error_errno (e) == ENOENT)
        {
          hr_error_free (&e);
          return 0;
        }
      *err = e;
      return hr_error_wrap (err, "landlock: open `%s`", path);
    }
  struct stat st;
  if (fstat (fd, &st) == 0 && !S_ISDIR (st.st_mode))
    access &= FS_FILE_RIGHTS;
  return add_path_rule (c, fd, access, path, err);
}

static bool
dedicated (const struct ctx *c, const struct stat *st)
{
  for (size_t i = 0; i < c->n_blocked; i++)
    if (!c->blocked[i].multicall && c->blocked[i].dev == (uint64_t) st->st_dev
        && c->blocked[i].ino == (uint64_t) st->st_ino)
      return true;
  return false;
}

#define MAX_DEPTH 32

static DIR *
open_dir (int dirfd)
{
  int fd = openat (dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
  if (fd >= 0 && d == NULL)
    close (fd);
  return d;
}

static bool
name_blocked (const struct hr_policy *p, const char *name)
{
  for (size_t i = 0; i < p->n_blocked; i++)
    if (strcmp (p->blocked[i], name) == 0)
      return true;
  return false;
}

static bool
ino_dedicated (const struct ctx *c, uint64_t ino)
{
  for (size_t i = 0; i < c->n_blocked; i++)
    if (!c->blocked[i].multicall && c->blocked[i].ino == ino)
      return true;
  return false;
}

struct names
{
  char **v;
  size_t n;
};

static void
names_clear (struct names *n)
{
  for (size_t i = 0; i < n->n; i++)
    free (n->v[i]);
  free (n->v);
}

/* EXECUTE beneath an executable path, in one walk: a tree without a
   dedicated blocked binary gets one rule (from its parent, or at the
   top); a directory whose tree holds one gets a rule per entry but those
   (a Landlock rule grants, never denies: a blocked file can only be left
   out).  Returns 1 when the tree holds one (nothing granted for it as a
   whole), 0 when not, -1 on error.  Anything unreadable counts as
   holding one: it fails closed, nothing beneath it is granted.  A
   regular file is known by its d_ino, stat'ed only when that or its name
   matches a blocked one (see blocked.c). */
static int
exec_walk (struct ctx *c, const struct hr_policy *p, int dirfd, const char *path, int depth, hr_err *err)
{
  const uint64_t x = LANDLOCK_ACCESS_FS_EXECUTE;
  _cleanup_ (names_clear) struct names grant = { 0 };
  bool has = false;
  struct stat dst;

  if (depth > MAX_DEPTH || fstat (dirfd, &dst) < 0)
    return 1;
  _cleanup_closedir_ DIR *d = open_dir (dirfd);
  if (d == NULL)
    return 1;
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    {
      struct stat st;
      unsigned type = de->d_type;
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      bool check = type == DT_REG && (name_blocked (p, de->d_name) || ino_dedicated (c, de->d_ino));
      if (type == DT_UNKNOWN || check)
        {
          if (fstatat (dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
            {
              has = true;
              continue;
            }
          type = S_ISDIR (st.st_mode) ? DT_DIR : S_ISREG (st.st_mode) ? DT_REG : DT_UNKNOWN;
          if (type == DT_REG && dedicated (c, &st))
            {
              has = true;
              continue;
            }
        }
      if (type == DT_DIR)
        {
          _cleanup_close_ int sub = openat (dirfd, de->d_name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          _cleanup_free_ char *subpath = xasprintf ("%s/%s", path, de->d_name);
          int r = sub < 0 ? 1 : exec_walk (c, p, sub, subpath, depth + 1, err);
          if (r < 0)
            return -1;
          has |= r > 0;
          if (r > 0)
            continue;
        }
      else if (type != DT_REG)
        continue; /* symlinks: the rule goes on the target, where it lives */
      grant.v = xrealloc (grant.v, (grant.n + 1) * sizeof (char *));
      grant.v[grant.n++] = xstrdup (de->d_name);
    }
  if (!has)
    return 0;
  for (size_t i = 0; i < grant.n; i++)
    {
      _cleanup_close_ int fd = openat (dirfd, grant.v[i], O_PATH | O_NOFOLLOW | O_CLOEXEC);
      _cleanup_free_ char *subpath = xasprintf ("%s/%s", path, grant.v[i]);
      if (fd >= 0 && add_path_rule (c, fd, x, subpath, err) < 0)
        return -1;
    }
  return 1;
}

static int
exec_rules (struct ctx *c, const struct hr_policy *p, int dirfd, const char *path, hr_err *err)
{
  bool any = false;
  for (size_t i = 0; i < c->n_blocked; i++)
    any |= !c->blocked[i].multicall;
  int r = any ? exec_walk (c, p, dirfd, path, 0, err) : 0;
  if (r < 0)
    return -1;
  return r == 0 ? add_path_rule (c, dirfd, LANDLOCK_ACCESS_FS_EXECUTE, path, err) : 0;
}

static int
build (struct ctx *c, const struct hr_policy *p, hr_err *err)
{
  const struct hr_landlock_masks *m = c->m;

  /* read everywhere: the rootfs is read-only anyway, and a sandboxed tool
     reads its libraries and data */
  if (add_rule_at (c, "/", LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR, err) < 0)
    return -1;
  for (size_t i = 0; i < p->n_writable; i++)
    if (add_rule_at (c, p->writable[i], m->fs_write, err) < 0)
      return -1;
  if (add_rule_at (c, "/dev", m->fs_dev, err) < 0 || add_rule_at (c, "/proc", LANDLOCK_ACCESS_FS_WRITE_FILE, err) < 0)
    return -1;
  /* POSIX shared memory and semaphores (shm_open, sem_open: Python's
     multiprocessing) are files in /dev/shm, the container's own tmpfs
     (runc's default spec mounts it nosuid,noexec,nodev): IPC, not storage,
     gone with the container. */
  if (add_rule_at (c, "/dev/shm", m->fs_write, err) < 0)
    return -1;
  for (size_t i = 0; i < p->n_exec; i++)
    {
      hr_err e = NULL;
      _cleanup_close_ int fd = hr_open_in_root (c->rootfd, p->exec_paths[i], O_PATH | O_DIRECTORY, &e);
      if (fd < 0)
        {
          if (hr_error_errno (e) == ENOENT || hr_error_errno (e) == ENOTDIR)
            {
              hr_error_free (&e);
              continue;
            }
          *err = e;
          return hr_error_wrap (err, "landlock: executable path `%s`", p->exec_paths[i]);
        }
      if (exec_rules (c, p, fd, p->exec_paths[i], err) < 0)
        return -1;
    }
  if (m->net & HR_LANDLOCK_ACCESS_NET_CONNECT_TCP)
    for (size_t i = 0; i < p->n_allow; i++)
      {
        struct hr_net_port_attr a = { .allowed_access = HR_LANDLOCK_ACCESS_NET_CONNECT_TCP, .port = p->allow[i].port };
        if (syscall (SYS_landlock_add_rule, c->ruleset, HR_LANDLOCK_RULE_NET_PORT, &a, 0) < 0)
          return hr_error_set (err, errno, "landlock: add the TCP connect rule for port %u", p->allow[i].port);
      }
  return 0;
}

/* Lower for this kernel, and scan for the blocked commands (with
   Landlock only), counting them in the report. */
static int
prepare (int rootfd, const struct hr_policy *p, struct hr_landlock_masks *m, struct hr_landlock_report *r,
         struct hr_blocked_exe **blocked, size_t *n_blocked, hr_err *err)
{
  *blocked = NULL;
  *n_blocked = 0;
  hr_landlock_lower (hr_landlock_abi (), p, m, r);
  if (r->abi == 0)
    return 0; /* reported: the caller decides under `require: all` */
  if (hr_blocked_scan_policy (rootfd, p, blocked, n_blocked, err) < 0)
    return -1;
  for (size_t i = 0; i < *n_blocked; i++)
    {
      if ((*blocked)[i].multicall)
        r->blocked_multicall++;
      else
        r->blocked_excluded++;
    }
  return 0;
}

int
hr_landlock_report_for (int rootfd, const struct hr_policy *p, struct hr_landlock_report *r, hr_err *err)
{
  struct hr_landlock_masks m;
  struct hr_blocked_exe *blocked;
  size_t n_blocked;
  int ret = prepare (rootfd, p, &m, r, &blocked, &n_blocked, err);
  free (blocked);
  return ret;
}

int
hr_landlock_apply (int rootfd, const struct hr_policy *p, struct hr_landlock_report *r, hr_err *err)
{
  struct hr_landlock_masks m;
  _cleanup_free_ struct hr_blocked_exe *blocked = NULL;
  size_t n_blocked = 0;

  if (prepare (rootfd, p, &m, r, &blocked, &n_blocked, err) < 0)
    return -1;
  if (r->abi == 0)
    return 0;

  struct hr_ruleset_attr attr = { .handled_access_fs = m.fs, .handled_access_net = m.net, .scoped = m.scoped };
  size_t size = r->abi >= 6 ? sizeof (attr) : r->abi >= 4 ? 2 * sizeof (uint64_t) : sizeof (uint64_t);
  struct ctx c = { .rootfd = rootfd, .m = &m, .blocked = blocked, .n_blocked = n_blocked };
  c.ruleset = (int) syscall (SYS_landlock_create_ruleset, &attr, size, 0);
  if (c.ruleset < 0)
    return hr_error_set (err, errno, "landlock_create_ruleset (ABI %d)", r->abi);
  _cleanup_close_ int ruleset = c.ruleset;
  if (build (&c, p, err) < 0)
    return -1;
  /* landlock_restrict_self(2) needs no_new_privs (or CAP_SYS_ADMIN, which
     a sandboxed process keeps not); the policy lowers to
     noNewPrivileges anyway, this makes the order of the steps not matter */
  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return hr_error_set (err, errno, "prctl(PR_SET_NO_NEW_PRIVS) for Landlock");
  if (syscall (SYS_landlock_restrict_self, ruleset, 0) < 0)
    return hr_error_set (err, errno, "landlock_restrict_self");
  return 0;
}
