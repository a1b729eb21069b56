/* SPDX-License-Identifier: Apache-2.0 */
/* Linux namespaces: the OCI names, their clone flags and /proc names
   (runtime-spec config-linux.md "Namespaces"). */
#ifndef HYDRA_NAMESPACES_H
#define HYDRA_NAMESPACES_H

#include <stddef.h>
#include "error.h"

struct hr_ns_info
{
  const char *oci_name;   /* "network" */
  const char *proc_name;  /* "net": /proc/<pid>/ns/<proc_name> */
  int clone_flag;         /* CLONE_NEWNET */
  int oci_type;           /* OCI_NAMESPACE_TYPE_NETWORK (linux.namespaces[].type as parsed) */
};

/* NULL when the name is not a Linux namespace type. */
const struct hr_ns_info *hr_ns_by_name (const char *oci_name);
const struct hr_ns_info *hr_ns_by_flag (int clone_flag);
/* NULL when out of range. */
const struct hr_ns_info *hr_ns_by_type (int oci_type);
/* All of them, in the order they must be joined: user first (it decides
   the privileges for the rest), mount last. */
const struct hr_ns_info *hr_ns_all (size_t *n);

/* setns(2) into the namespace open at fd, after checking with
   NS_GET_NSTYPE that fd really is a namespace of that type (a path in the
   config could name anything). */
int hr_ns_join (int fd, const struct hr_ns_info *ns, const char *path, hr_err *err);
/* Open path (a file under /proc/<pid>/ns or a bind mount of one). */
int hr_ns_open (const char *path, const struct hr_ns_info *ns, hr_err *err);

#endif
