/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The values of checkpoint's and restore's flags that runc checks before it
 * calls CRIU, checked here the same way and with runc 1.5's words (people
 * and scripts compare them), before the library touches anything.  Pure:
 * no I/O, so the unit tests and the fuzzer link this file alone.
 */
#ifndef HYDRA_CRIU_OPTS_H
#define HYDRA_CRIU_OPTS_H

#include "error.h"

/* --manage-cgroups-mode: soft, full, strict or ignore; NULL or "" leaves
   CRIU's default. */
int hr_criu_check_manage_cgroups_mode (const char *mode, hr_err *err);

/* Every --empty-ns (a NULL-terminated list, or NULL): only "network". */
int hr_criu_check_empty_ns (char **namespaces, hr_err *err);

/* --page-server ADDRESS:PORT, split as Go's net.SplitHostPort splits it
   ("host:port", "[v6-address]:port"); the port 1..65535.
   *host (caller frees) and *port get the parts; either may be NULL. */
int hr_criu_parse_page_server (const char *s, char **host, int *port, hr_err *err);

#endif
