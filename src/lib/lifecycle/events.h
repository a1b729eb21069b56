/* SPDX-License-Identifier: Apache-2.0 */
/* Statistics of a container's cgroup for `events` (events_stats.c). */
#ifndef HYDRA_EVENTS_H
#define HYDRA_EVENTS_H

#include "cgroups/cgroups.h"
#include "json.h"

#include <stdbool.h>
#include <stdint.h>

/* Contents of dir/file, or NULL when it cannot be read (a missing
   controller or file leaves that part of the stats at 0, as in runc). */
char *hr_cgroup_read_opt (const char *dir, const char *file);
/* The value of "key N" in a flat-keyed cgroup file (memory.stat,
   memory.events, cpu.stat). */
bool hr_cgroup_kv_get (const char *text, const char *key, uint64_t *out);

/* The "data" object of a stats event, in runc's shape.  Caller frees. */
json_value *hr_cgroup_stats_json (const struct hr_cgroup *cg);

#endif
