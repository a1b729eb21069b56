/* SPDX-License-Identifier: Apache-2.0 */
/* Network devices through rtnetlink (libmnl). */
#ifndef HYDRA_NETDEV_H
#define HYDRA_NETDEV_H

#include <stdbool.h>
#include <sys/types.h>
#include "error.h"
#include "oci.h"

/* Bring the loopback device up in the current network namespace: a new
   network namespace starts with lo down, and runc brings it up. */
int hr_netdev_loopback_up (hr_err *err);

/* Whether name is one the kernel accepts for a network device
   (dev_valid_name: 1..IFNAMSIZ-1 bytes, not "." or "..", no '/', ':' or
   white space).  Pure: plan.c checks linux.netDevices with it. */
bool hr_netdev_name_valid (const char *name);

/* linux.netDevices, the checks that need the host, made before create
   changes anything: every device exists in the runtime's network
   namespace, and the container's is not that namespace. */
int hr_netdev_precheck (const oci_linux *lx, hr_err *err);

/* The devices create moved, and the rtnetlink sockets to move them back
   should the create fail later. */
struct hr_netdev_moves;

/* Move every linux.netDevices device into the network namespace of the
   container (the one at linux.namespaces' network path, else the init's),
   renamed, with its permanent global addresses, and up.  On failure the
   devices already moved are moved back and *out stays NULL. */
int hr_netdev_move_in (const oci_linux *lx, pid_t init_pid, struct hr_netdev_moves **out, hr_err *err);
/* Best effort, for a create that fails after the move: the devices go
   back to the runtime's namespace under their host names, with their
   addresses (the init is still alive, its namespace still exists). */
void hr_netdev_move_back (struct hr_netdev_moves *m);
void hr_netdev_moves_free (struct hr_netdev_moves *m);

#endif
