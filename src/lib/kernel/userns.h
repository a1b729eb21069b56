/* SPDX-License-Identifier: Apache-2.0 */
/* User and time namespaces: the parts the runtime does from outside the
   container (runtime-spec config-linux.md "User namespace mappings",
   "Offset for Time Namespace"). */
#ifndef HYDRA_USERNS_H
#define HYDRA_USERNS_H

#include <stdbool.h>
#include <sys/types.h>
#include "error.h"
#include "oci.h"

/* Write /proc/<pid>/uid_map and gid_map of a child in a new user
   namespace.  When we are not root, "deny" goes to setgroups first, as the
   kernel requires for an unprivileged gid_map. */
int hr_userns_write_maps (pid_t pid, const oci_linux *lx, hr_err *err);

/* A user (not root) who maps more than its own uid or gid needs newuidmap
   / newgidmap: refuse before anything exists when PATH has none. */
int hr_userns_check_helpers (const oci_linux *lx, hr_err *err);

/* Are we in a user namespace other than the initial one?  As runc's
   userns.RunningInUserNS: our uid_map is not the identity of all ids. */
bool hr_userns_running_in (void);

/* Move our time_for_children into a new time namespace with the config's
   offsets, so the next child starts in it.  Returns an fd of our previous
   time_for_children for hr_timens_restore. */
int hr_timens_prepare (const oci_linux *lx, hr_err *err);
int hr_timens_restore (int saved_fd, hr_err *err);

#endif
