/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading a bundle, and the first record of a container: what create and
 * restore share (lifecycle.h).  Nothing here changes anything on disk.
 */
#include <config.h>
#include "hydra.h"
#include "cleanup.h"
#include "lifecycle/lifecycle.h"
#include "state/state.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

char *
hr_now_rfc3339 (void)
{
  struct timespec ts;
  char buf[HR_RFC3339_LEN];

  clock_gettime (CLOCK_REALTIME, &ts);
  hr_format_rfc3339 (&ts, buf);
  return xstrdup (buf);
}

int
hr_resolve_bundle (const char *opt, char **bundle, hr_err *err)
{
  const char *b = opt && *opt ? opt : ".";
  char *r = realpath (b, NULL);
  if (r == NULL)
    return hr_error_set (err, errno, "bundle `%s`", b);
  *bundle = r;
  return 0;
}

int
hr_resolve_rootfs (const char *bundle, const oci_config *cfg, char **out, hr_err *err)
{
  _cleanup_free_ char *joined = NULL;
  struct stat st;
  char *r;

  if (cfg->root == NULL || cfg->root->path == NULL)
    return hr_error_plain (err, EINVAL, "config.json: root.path: missing");
  joined = cfg->root->path[0] == '/' ? xstrdup (cfg->root->path) : xasprintf ("%s/%s", bundle, cfg->root->path);
  r = realpath (joined, NULL);
  if (r == NULL || stat (r, &st) < 0)
    {
      free (r);
      return hr_error_plain (err, ENOENT, "rootfs (\"%s\") does not exist", joined);
    }
  if (!S_ISDIR (st.st_mode))
    {
      free (r);
      return hr_error_plain (err, ENOTDIR, "rootfs (\"%s\") is not a directory", joined);
    }
  *out = r;
  return 0;
}

/* config.json is read once: parsed here, and its bytes are what the state
   dir keeps for exec, update and delete (serializing the parsed tree again
   cost as many instructions as parsing it). */
int
hr_read_config (const char *path, char **data, size_t *len, oci_config **cfg, hr_err *err)
{
  _cleanup_close_ int fd = open (path, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    return hr_error_set (err, errno, "open `%s`", path);
  if (hr_read_all (fd, OCI_MAX_DOCUMENT_SIZE, data, len, err) < 0)
    return hr_error_wrap (err, "read `%s`", path);
  return oci_config_parse_data (*data, *len, "config.json", cfg, err);
}

hr_state_file *
hr_state_new_creating (const struct hr_context *ctx, const char *id, const char *bundle, const char *rootfs,
                       const oci_config *cfg)
{
  hr_state_file *st;

  st = xmalloc0 (sizeof (*st));
  st->oci_version = xstrdup (OCI_VERSION);
  st->id = xstrdup (id);
  st->status = OCI_HR_STATUS_CREATING;
  st->status_present = true;
  st->bundle = xstrdup (bundle);
  st->rootfs = xstrdup (rootfs);
  st->created = hr_now_rfc3339 ();
  st->owner = hr_passwd_name (geteuid ());
  st->creator_pid = getpid ();
  st->creator_pid_present = true;
  st->creator_start_time = hr_proc_start_time (getpid (), NULL);
  st->creator_start_time_present = true;
  st->systemd_cgroup = ctx->systemd_cgroup;
  st->systemd_cgroup_present = true;
  st->poststart_hooks = cfg->hooks && cfg->hooks->poststart_len;
  st->poststart_hooks_present = true;
  st->poststop_hooks = cfg->hooks && cfg->hooks->poststop_len;
  st->poststop_hooks_present = true;
  return st;
}
