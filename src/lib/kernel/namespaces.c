/* SPDX-License-Identifier: Apache-2.0 */
#include <config.h>
#include "kernel/namespaces.h"
#include "cleanup.h"
#include "oci_types.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>

#ifndef CLONE_NEWTIME
# define CLONE_NEWTIME 0x00000080
#endif

static const struct hr_ns_info namespaces[] = {
  { "user", "user", CLONE_NEWUSER, OCI_NAMESPACE_TYPE_USER },
  { "pid", "pid", CLONE_NEWPID, OCI_NAMESPACE_TYPE_PID },
  { "network", "net", CLONE_NEWNET, OCI_NAMESPACE_TYPE_NETWORK },
  { "ipc", "ipc", CLONE_NEWIPC, OCI_NAMESPACE_TYPE_IPC },
  { "uts", "uts", CLONE_NEWUTS, OCI_NAMESPACE_TYPE_UTS },
  { "cgroup", "cgroup", CLONE_NEWCGROUP, OCI_NAMESPACE_TYPE_CGROUP },
  { "time", "time", CLONE_NEWTIME, OCI_NAMESPACE_TYPE_TIME },
  { "mount", "mnt", CLONE_NEWNS, OCI_NAMESPACE_TYPE_MOUNT },
};

const struct hr_ns_info *
hr_ns_all (size_t *n)
{
  *n = sizeof (namespaces) / sizeof (namespaces[0]);
  return namespaces;
}

const struct hr_ns_info *
hr_ns_by_name (const char *oci_name)
{
  for (size_t i = 0; i < sizeof (namespaces) / sizeof (namespaces[0]); i++)
    if (strcmp (namespaces[i].oci_name, oci_name) == 0)
      return &namespaces[i];
  return NULL;
}

/* The entry with that clone flag or that OCI type (no entry has flag 0
   or type -1, so each caller passes the other as "none"). */
static const struct hr_ns_info *
ns_find (int clone_flag, int oci_type)
{
  for (size_t i = 0; i < sizeof (namespaces) / sizeof (namespaces[0]); i++)
    if (namespaces[i].clone_flag == clone_flag || namespaces[i].oci_type == oci_type)
      return &namespaces[i];
  return NULL;
}

const struct hr_ns_info *
hr_ns_by_type (int oci_type)
{
  return oci_type < 0 ? NULL : ns_find (0, oci_type);
}

const struct hr_ns_info *
hr_ns_by_flag (int clone_flag)
{
  return clone_flag == 0 ? NULL : ns_find (clone_flag, -1);
}

int
hr_ns_open (const char *path, const struct hr_ns_info *ns, hr_err *err)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return hr_error_set (err, errno, "open %s namespace `%s`", ns->oci_name, path);
  return fd;
}

int
hr_ns_join (int fd, const struct hr_ns_info *ns, const char *path, hr_err *err)
{
  int type = ioctl (fd, NS_GET_NSTYPE);
  if (type < 0)
    return hr_error_set (err, errno, "`%s` is not a namespace", path);
  if (type != ns->clone_flag)
    return hr_error_plain (err, EINVAL, "`%s` is not a %s namespace", path, ns->oci_name);
  if (setns (fd, ns->clone_flag) < 0)
    return hr_error_set (err, errno, "join %s namespace `%s`", ns->oci_name, path);
  return 0;
}
