/* SPDX-License-Identifier: Apache-2.0 */
/* runc's CRIU conventions (checkpoint.h). */
#include <config.h>
#include "checkpoint/checkpoint.h"
#include "sandbox/policy.h"
#include "checkpoint/criu_opts.h"
#include "cgroups/cgroups.h"
#include "cleanup.h"
#include "json.h"
#include "kernel/namespaces.h"
#include "kernel/resolve.h"
#include "setup/plan.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
hr_checkpoint_empty_ns (char *const *names, unsigned *flags, hr_err *err)
{
  *flags = CLONE_NEWNET;
  return hr_criu_check_empty_ns ((char **) names, err);
}

int
hr_checkpoint_check_config (const oci_config *cfg, hr_err *err)
{
  for (size_t i = 0; cfg->linux_ && i < cfg->linux_->namespaces_len; i++)
    if (cfg->linux_->namespaces[i]->type == OCI_NAMESPACE_TYPE_USER)
      return hr_error_plain (err, ENOTSUP,
                             "checkpoint and restore of a container with a user namespace are not supported "
                             "(CRIU's restored tasks cannot read private images)");
  /* A sandbox would come back without its confinement: CRIU has no
     Landlock domain to restore, and the eBPF programs and the audit
     process are not the container's (issue 16).  Refused, not weakened. */
  if (oci_string_map_get (&cfg->annotations, HR_POLICY_ANNOTATION))
    return hr_error_plain (err, ENOTSUP,
                           "checkpoint and restore of a sandboxed container (annotation " HR_POLICY_ANNOTATION
                           ") are not supported: CRIU restores neither its Landlock domain nor its eBPF "
                           "programs and audit process");
  return 0;
}

const char *
hr_criu_config_file (const oci_string_map *annotations)
{
  const char *a = oci_string_map_get (annotations, "org.criu.config");

  if (a)
    return *a ? a : NULL;
  if (access ("/etc/criu/hydra-runc.conf", F_OK) == 0)
    return "/etc/criu/hydra-runc.conf";
  /* CRIU skips a configuration file that does not exist. */
  return "/etc/criu/runc.conf";
}

/* DEST as the mount table shows it: symlinks in the rootfs resolved the
   way the mount followed them (inside the rootfs, RESOLVE_IN_ROOT), as
   runc's securejoin does.  A destination that cannot be opened (under a
   mount of the container's own, a tmpfs) is taken as written. */
static char *
resolved_destination (int rootfd, const char *rootfs, const char *dest)
{
  hr_err e = NULL;
  _cleanup_close_ int fd = hr_open_in_root (rootfd, dest, O_PATH, &e);
  char link[64], target[4096];
  size_t rl = strlen (rootfs);

  if (fd < 0)
    {
      hr_error_free (&e);
      return xstrdup (dest);
    }
  snprintf (link, sizeof (link), "/proc/self/fd/%d", fd);
  ssize_t n = readlink (link, target, sizeof (target) - 1);
  if (n <= 0)
    return xstrdup (dest);
  target[n] = '\0';
  if (strncmp (target, rootfs, rl) != 0 || (target[rl] != '/' && target[rl] != '\0'))
    return xstrdup (dest);
  return xstrdup (target[rl] ? target + rl : "/");
}

static int
cgroup_mounts (struct hr_criu_req *req, const char *dest, const struct hr_cgroup *cg, bool restore)
{
  enum hr_cgroup_layout layout = hr_cgroup_layout ();

  for (size_t i = 0; cg && i < cg->len; i++)
    {
      const struct hr_cgroup_dir *d = &cg->dirs[i];
      _cleanup_free_ char *mnt = NULL, *key = NULL;

      if (layout == HR_CGROUP_UNIFIED)
        key = xstrdup (dest);
      else
        {
          /* mounts.c names each directory after the host's mount point. */
          if (strcmp (d->controllers, "unified") == 0)
            mnt = xstrdup (HR_CGROUP_ROOT "/unified");
          else
            mnt = hr_cgroup_v1_mount (d->controllers);
          if (mnt == NULL)
            continue;
          key = xasprintf ("%s/%s", strcmp (dest, "/") == 0 ? "" : dest, strrchr (mnt, '/') + 1);
        }
      hr_criu_req_add_ext_mnt (req, key, restore ? d->dir : key);
    }
  return 0;
}

/* A masked path that is a file in the live container (runc stats it
   through /proc/<init>/root; here resolved inside that root). */
static bool
masked_file (int initroot, const char *path)
{
  hr_err e = NULL;
  struct stat st;
  _cleanup_close_ int fd = initroot < 0 ? -1 : hr_open_in_root (initroot, path, O_PATH, &e);

  hr_error_free (&e);
  return fd >= 0 && fstat (fd, &st) == 0 && !S_ISDIR (st.st_mode);
}

int
hr_checkpoint_external_mounts (struct hr_criu_req *req, const struct hr_plan *plan, const struct hr_cgroup *cg,
                               pid_t init, bool restore, hr_err *err)
{
  static const char *const default_devices[] = { "/dev/null", "/dev/zero", "/dev/full",
                                                 "/dev/random", "/dev/urandom", "/dev/tty" };
  _cleanup_close_ int rootfd = open (plan->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  _cleanup_close_ int initroot = -1;

  if (rootfd < 0)
    return hr_error_set (err, errno, "open rootfs `%s`", plan->rootfs);
  if (!restore && init > 0)
    {
      char path[64];
      snprintf (path, sizeof (path), "/proc/%d/root", (int) init);
      initroot = open (path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    }
  if (restore)
    /* what every masked file was keyed to at dump (runc) */
    hr_criu_req_add_ext_mnt (req, "/dev/null", "/dev/null");
  for (size_t i = 0; i < plan->len; i++)
    {
      const struct hr_step *s = &plan->steps[i];

      if (s->kind == STEP_MOUNT && s->opts.bind)
        {
          _cleanup_free_ char *key = resolved_destination (rootfd, plan->rootfs, s->mount->destination);
          _cleanup_free_ char *src = NULL;
          if (restore)
            src = s->mount->source[0] == '/' ? xstrdup (s->mount->source)
                                             : xasprintf ("%s/%s", plan->bundle, s->mount->source);
          hr_criu_req_add_ext_mnt (req, key, restore ? src : key);
        }
      else if (s->kind == STEP_MOUNT_CGROUP && !(s->flags & HR_MOUNT_CGROUP_NS))
        cgroup_mounts (req, s->mount->destination, cg, restore);
      else if (s->kind == STEP_DEVICE)
        /* Bound from the host in a user namespace (devices.c); a node
           made with mknod is no mount and CRIU ignores the entry. */
        hr_criu_req_add_ext_mnt (req, s->device->path, s->device->path);
      else if (s->kind == STEP_DEFAULT_DEVICES)
        for (size_t k = 0; k < sizeof (default_devices) / sizeof (default_devices[0]); k++)
          hr_criu_req_add_ext_mnt (req, default_devices[k], default_devices[k]);
      else if (s->kind == STEP_MASK_PATH && !restore && masked_file (initroot, s->path))
        hr_criu_req_add_ext_mnt (req, s->path, "/dev/null");
    }
  return 0;
}

int
hr_checkpoint_external_ns (struct hr_criu_req *req, const oci_config *cfg, hr_err *err)
{
  static const struct
  {
    int type;
    const char *fmt;
  } ext[] = {
    { OCI_NAMESPACE_TYPE_NETWORK, "net[%llu]:extRootNetNS" },
    { OCI_NAMESPACE_TYPE_PID, "pid[%llu]:extRootPidNS" },
  };

  for (size_t i = 0; cfg->linux_ && i < cfg->linux_->namespaces_len; i++)
    {
      const oci_linux_namespace *ns = cfg->linux_->namespaces[i];
      struct stat st;

      if (ns->path == NULL || *ns->path == '\0')
        continue;
      for (size_t k = 0; k < sizeof (ext) / sizeof (ext[0]); k++)
        {
          if ((int) ns->type != ext[k].type)
            continue;
          if (stat (ns->path, &st) < 0)
            return hr_error_set (err, errno, "namespace %s", ns->path);
          hr_criu_req_add_external (req, xasprintf (ext[k].fmt, (unsigned long long) st.st_ino));
        }
    }
  return 0;
}

int
hr_checkpoint_dump_notify (const char *script, pid_t pid, int fd, void *data, hr_err *err)
{
  struct hr_checkpoint_notify *n = data;

  (void) pid;
  (void) err;
  if (fd >= 0)
    close (fd);
  if (strcmp (script, "status-ready") == 0 && n->status_fd >= 0)
    {
      /* "The lazy page server is ready": one NUL byte, then closed. */
      (void) hr_write_all (n->status_fd, "", 1);
      close (n->status_fd);
      n->status_fd = -1;
    }
  return 0;
}

/* --image-path and --work-path are made when missing (runc MkdirAll
   0700) and opened for CRIU, which reaches them through /proc/<us>/fd. */
int
hr_checkpoint_open_dir (const char *path, bool create, const char *flag, hr_err *err)
{
  int fd;

  if (create && mkdir (path, 0700) < 0 && errno != EEXIST)
    return hr_error_set (err, errno, "%s `%s`", flag, path);
  fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return hr_error_set (err, errno, "%s `%s`", flag, path);
  return fd;
}
