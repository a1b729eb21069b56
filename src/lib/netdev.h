/* SPDX-License-Identifier: Apache-2.0 */
/* Network devices through rtnetlink (libmnl). */
#ifndef HYDRA_NETDEV_H
#define HYDRA_NETDEV_H

#include "error.h"

/* Bring the loopback device up in the current network namespace: a new
   network namespace starts with lo down, and runc brings it up. */
int hr_netdev_loopback_up (hr_err *err);

#endif
