/* SPDX-License-Identifier: Apache-2.0 */
/* Device nodes in the container's /dev (runtime-spec config-linux.md
   "Devices" and "Default Devices", "/dev symbolic links"). */
#ifndef HYDRA_DEVICES_H
#define HYDRA_DEVICES_H

#include "error.h"
#include "oci.h"

/* /dev/null, zero, full, random, urandom, tty: mknod, or a bind mount of
   the host's node where mknod is not allowed. */
int hr_default_devices (int rootfd, hr_err *err);
int hr_create_device (int rootfd, const oci_linux_device *dev, hr_err *err);
/* /dev/fd, /dev/stdin, /dev/stdout, /dev/stderr, /dev/ptmx, /dev/core. */
int hr_dev_symlinks (int rootfd, hr_err *err);

/* After pivot_root: each of fds 0-2 that is a null device other than
   the container's /dev/null (the host's) is replaced by the container's
   (runc reOpenDevNull).  A /dev/null that is not the null device
   (CVE-2025-31133) is never opened for this; stdio stays as it was. */
int hr_reopen_dev_null (hr_err *err);

#endif
