/* SPDX-License-Identifier: Apache-2.0 */
/*
 * max_network_mbps of a sandbox policy (issue 16): the container's
 * interfaces in its network namespace are limited with tc: egress by a
 * tbf qdisc, ingress by a tbf on an ifb device the interface's ingress is
 * redirected to (bandwidth.c says why).
 */
#ifndef HYDRA_BANDWIDTH_H
#define HYDRA_BANDWIDTH_H

#include <stdint.h>
#include <sys/types.h>
#include "error.h"

/* What the report says when the namespace has only loopback. */
#define HR_BANDWIDTH_NO_INTERFACE "no interface to limit"

/* Limit every interface but loopback in the network namespace of
   init_pid to kbit kilobits per second, each way.  Call at create, after
   hr_netdev_move_in.  Returns the number of interfaces limited (0: the
   namespace has only loopback, HR_BANDWIDTH_NO_INTERFACE), or -1; the
   runtime's own network namespace is refused (never the host's
   interfaces). */
int hr_bandwidth_apply (pid_t init_pid, uint64_t kbit, hr_err *err);

#endif
