/* SPDX-License-Identifier: Apache-2.0 */
#include <config.h>
#include "kernel/process.h"
#include "cleanup.h"
#include "kernel/resolve.h"
#include "util.h"
#include "lifecycle/values.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

/* Indexed by the parsed enumeration (oci-spec/enums.def RLIMIT_TYPE). */
static const int rlimits[OCI_RLIMIT_TYPE__COUNT] = {
  [OCI_RLIMIT_TYPE_AS] = RLIMIT_AS,           [OCI_RLIMIT_TYPE_CORE] = RLIMIT_CORE,
  [OCI_RLIMIT_TYPE_CPU] = RLIMIT_CPU,         [OCI_RLIMIT_TYPE_DATA] = RLIMIT_DATA,
  [OCI_RLIMIT_TYPE_FSIZE] = RLIMIT_FSIZE,     [OCI_RLIMIT_TYPE_LOCKS] = RLIMIT_LOCKS,
  [OCI_RLIMIT_TYPE_MEMLOCK] = RLIMIT_MEMLOCK, [OCI_RLIMIT_TYPE_MSGQUEUE] = RLIMIT_MSGQUEUE,
  [OCI_RLIMIT_TYPE_NICE] = RLIMIT_NICE,       [OCI_RLIMIT_TYPE_NOFILE] = RLIMIT_NOFILE,
  [OCI_RLIMIT_TYPE_NPROC] = RLIMIT_NPROC,     [OCI_RLIMIT_TYPE_RSS] = RLIMIT_RSS,
  [OCI_RLIMIT_TYPE_RTPRIO] = RLIMIT_RTPRIO,   [OCI_RLIMIT_TYPE_RTTIME] = RLIMIT_RTTIME,
  [OCI_RLIMIT_TYPE_SIGPENDING] = RLIMIT_SIGPENDING, [OCI_RLIMIT_TYPE_STACK] = RLIMIT_STACK,
};

int
hr_rlimit_by_type (int type)
{
  if (type < 0 || type >= OCI_RLIMIT_TYPE__COUNT)
    return -1;
  return rlimits[type];
}

const char *
hr_rlimit_name (int type)
{
  if (type < 0 || type >= OCI_RLIMIT_TYPE__COUNT)
    return "unknown rlimit";
  return oci_enum_values (OCI_ENUM_RLIMIT_TYPE)[type];
}

int
hr_rlimit_apply (int resource, const char *name, unsigned long long soft, unsigned long long hard, hr_err *err)
{
  struct rlimit rl = { (rlim_t) soft, (rlim_t) hard };
  if (setrlimit (resource, &rl) < 0)
    return hr_error_set (err, errno, "set %s to soft=%llu hard=%llu", name, soft, hard);
  return 0;
}

static const char *
env_get (char *const *env, const char *key)
{
  size_t kl = strlen (key);
  for (size_t i = 0; env && env[i]; i++)
    if (strncmp (env[i], key, kl) == 0 && env[i][kl] == '=')
      return env[i] + kl + 1;
  return NULL;
}

static bool
is_executable_file (const char *path, int *saved_errno)
{
  struct stat st;
  if (stat (path, &st) < 0)
    {
      *saved_errno = errno;
      return false;
    }
  if (S_ISDIR (st.st_mode))
    {
      *saved_errno = EISDIR;
      return false;
    }
  if (access (path, X_OK) < 0)
    {
      *saved_errno = errno;
      return false;
    }
  return true;
}

int
hr_lookup_exec (const char *argv0, char *const *env, char **out, hr_err *err)
{
  const char *path_env;
  int e = ENOENT;

  if (strchr (argv0, '/'))
    {
      if (!is_executable_file (argv0, &e))
        return hr_error_set (err, e, "exec: \"%s\"", argv0);
      *out = xstrdup (argv0);
      return 0;
    }
  path_env = env_get (env, "PATH");
  if (path_env == NULL)
    path_env = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  _cleanup_free_ char *copy = xstrdup (path_env);
  char *save = NULL;
  for (char *dir = strtok_r (copy, ":", &save); dir; dir = strtok_r (NULL, ":", &save))
    {
      _cleanup_free_ char *cand = xasprintf ("%s/%s", *dir ? dir : ".", argv0);
      int ce;
      if (is_executable_file (cand, &ce))
        {
          *out = TAKE_PTR (cand);
          return 0;
        }
    }
  return hr_error_set (err, 0, "exec: \"%s\": executable file not found in $PATH", argv0);
}

int
hr_set_user (const oci_user *user, hr_err *err)
{
  uid_t uid = user && user->uid_present ? user->uid : 0;
  gid_t gid = user && user->gid_present ? user->gid : 0;
  gid_t *groups = NULL;
  size_t ngroups = 0;

  if (user && user->additional_gids_len)
    {
      ngroups = user->additional_gids_len;
      groups = (gid_t *) user->additional_gids;
    }
  /* Keep the permitted set across setresuid so the configured
     capabilities can still be applied afterwards (capabilities(7)). */
  if (prctl (PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
    return hr_error_set (err, errno, "prctl(PR_SET_KEEPCAPS)");
  /* In a user namespace whose setgroups is "deny" (user_namespaces(7))
     setgroups fails; only an explicit group list makes that an error. */
  if (setgroups (ngroups, groups) < 0 && (errno != EPERM || ngroups > 0))
    return hr_error_set (err, errno, "setgroups");
  if (setresgid (gid, gid, gid) < 0)
    return hr_error_set (err, errno, "setgid %u", (unsigned) gid);
  if (setresuid (uid, uid, uid) < 0)
    return hr_error_set (err, errno, "setuid %u", (unsigned) uid);
  if (prctl (PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
    return hr_error_set (err, errno, "prctl(PR_SET_KEEPCAPS)");
  return 0;
}

/* The container's /etc/passwd, through the resolver (a symlink stays in
   the rootfs), a regular file only (not a FIFO to block on), bounded. */
static char *
container_home (int rootfd, uid_t uid)
{
  _cleanup_close_ int fd = -1;
  _cleanup_free_ char *data = NULL;
  size_t len = 0;
  struct stat st;
  hr_err err = NULL;

  fd = hr_open_in_root (rootfd, "/etc/passwd", O_RDONLY | O_NONBLOCK | O_NOCTTY, &err);
  if (fd < 0 || fstat (fd, &st) < 0 || !S_ISREG (st.st_mode) || hr_read_all (fd, 4 << 20, &data, &len, &err) < 0)
    {
      hr_error_free (&err);
      return NULL;
    }
  return hr_passwd_home (data, len, uid);
}

char **
hr_env_with_home (char *const *env, int rootfd, const oci_user *user)
{
  uid_t uid = user && user->uid_present ? user->uid : 0;
  size_t n = 0, home = SIZE_MAX;

  for (; env && env[n]; n++)
    if (strncmp (env[n], "HOME=", 5) == 0)
      {
        if (env[n][5] != '\0')
          return NULL;
        home = n; /* runc treats an empty HOME as unset */
      }

  _cleanup_free_ char *dir = container_home (rootfd, uid);
  char **out = xmalloc0 ((n + 2) * sizeof (char *));
  for (size_t i = 0; i < n; i++)
    out[i] = xstrdup (env[i]);
  char *entry = xasprintf ("HOME=%s", dir ? dir : "/");
  if (home != SIZE_MAX)
    {
      free (out[home]);
      out[home] = entry;
    }
  else
    out[n] = entry;
  return out;
}

char **
hr_env_set (char *const *env, const char *key, const char *value)
{
  size_t n = 0, kl = strlen (key), at = SIZE_MAX;

  for (; env && env[n]; n++)
    if (at == SIZE_MAX && strncmp (env[n], key, kl) == 0 && env[n][kl] == '=')
      at = n;
  char **out = xmalloc0 ((n + 2) * sizeof (char *));
  for (size_t i = 0; i < n; i++)
    out[i] = i == at ? xasprintf ("%s=%s", key, value) : xstrdup (env[i]);
  if (at == SIZE_MAX)
    out[n] = xasprintf ("%s=%s", key, value);
  return out;
}

void
hr_env_free (char **env)
{
  for (size_t i = 0; env && env[i]; i++)
    free (env[i]);
  free (env);
}

int
hr_exec (const char *path, char *const *argv, char *const *env, int preserve_fds, bool fds_sealed, hr_err *err)
{
  /* No host fd may reach the container (CVE-2024-21626): close all but
     stdio and the preserved ones.  Close-on-exec keeps our own sync fds
     usable until execve succeeds.  Under a seccomp filter this was done
     before loading it (a profile may deny close_range). */
  if (!fds_sealed && hr_fds_cloexec (preserve_fds, err) < 0)
    return -1;
  execve (path, argv, env);
  return hr_error_set (err, errno, "exec `%s`", path);
}
