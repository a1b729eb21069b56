/* SPDX-License-Identifier: Apache-2.0 */
/* hydra-runc update: change the cgroup limits of a container (runc's
   flags, or a linux.resources document with --resources FILE|-). */
#include <config.h>
#include "cli.h"

static int
cmd_update (const struct cli_command *self, struct hr_context *ctx, int argc, char **argv)
{
  _cleanup_ (hr_opts_result_clear) struct hr_opts_result args = { 0 };
  struct hr_update_opts uo = { 0 };
  hr_err err = NULL;
  int status;
  const struct hr_opt opts[] = {
    { "resources", "r", HR_OPT_STRING, &uo.resources,
      "path to the file containing the resources to update or '-' to read from the standard input", NULL },
    { "blkio-weight", NULL, HR_OPT_INT, &uo.blkio_weight,
      "Specifies per cgroup weight, range is from 10 to 1000", "0" },
    { "cpu-period", NULL, HR_OPT_STRING, &uo.cpu_period,
      "CPU CFS period to be used for hardcapping (in usecs). 0 to use system default", NULL },
    { "cpu-quota", NULL, HR_OPT_STRING, &uo.cpu_quota,
      "CPU CFS hardcap limit (in usecs). Allowed cpu time in a given period", NULL },
    { "cpu-share", NULL, HR_OPT_STRING, &uo.cpu_share, "CPU shares (relative weight vs. other containers)", NULL },
    { "cpu-rt-period", NULL, HR_OPT_STRING, &uo.cpu_rt_period,
      "CPU realtime period to be used for hardcapping (in usecs). 0 to use system default", NULL },
    { "cpu-rt-runtime", NULL, HR_OPT_STRING, &uo.cpu_rt_runtime,
      "CPU realtime hardcap limit (in usecs). Allowed cpu time in a given period", NULL },
    { "cpuset-cpus", NULL, HR_OPT_STRING, &uo.cpuset_cpus, "CPU(s) to use", NULL },
    { "cpuset-mems", NULL, HR_OPT_STRING, &uo.cpuset_mems, "Memory node(s) to use", NULL },
    { "kernel-memory", NULL, HR_OPT_STRING, &uo.kernel_memory, "(obsoleted; do not use)", NULL },
    { "kernel-memory-tcp", NULL, HR_OPT_STRING, &uo.kernel_memory_tcp,
      "Kernel memory limit (in bytes) for tcp buffer", NULL },
    { "memory", NULL, HR_OPT_STRING, &uo.memory, "Memory limit (in bytes)", NULL },
    { "memory-reservation", NULL, HR_OPT_STRING, &uo.memory_reservation, "Memory reservation or soft_limit (in bytes)",
      NULL },
    { "memory-swap", NULL, HR_OPT_STRING, &uo.memory_swap, "Total memory usage (memory + swap); set '-1' to enable unlimited swap",
      NULL },
    { "pids-limit", NULL, HR_OPT_INT, &uo.pids_limit, "Maximum number of pids allowed in the container", "0" },
    { "l3-cache-schema", NULL, HR_OPT_STRING, &uo.l3_cache_schema, "The string of Intel RDT/CAT L3 cache schema", NULL },
    { "mem-bw-schema", NULL, HR_OPT_STRING, &uo.mem_bw_schema, "The string of Intel RDT/MBA memory bandwidth schema",
      NULL },
    { NULL },
  };

  if (!cli_parse (self, opts, argc, argv, 1, 1, &args, &status))
    return status;
  if (hr_container_update (ctx, args.args[0], &uo, &err) < 0)
    return cli_fail (&err);
  return 0;
}

const struct cli_command cli_cmd_update = {
  .name = "update",
  .summary = "update container resource constraints",
  .usage = "[command options] <container-id>",
  .description =
    "   The data can be read from a file or the standard input, the\n"
    "accepted format is as follow (unchanged values can be omitted):\n\n"
    "{\n"
    "  \"memory\": {\n"
    "    \"limit\": 0,\n"
    "    \"reservation\": 0,\n"
    "    \"swap\": 0,\n"
    "    \"checkBeforeUpdate\": true\n"
    "  },\n"
    "  \"cpu\": {\n"
    "    \"shares\": 0,\n"
    "    \"quota\": 0,\n"
    "    \"burst\": 0,\n"
    "    \"period\": 0,\n"
    "    \"realtimeRuntime\": 0,\n"
    "    \"realtimePeriod\": 0,\n"
    "    \"cpus\": \"\",\n"
    "    \"mems\": \"\",\n"
    "    \"idle\": 0\n"
    "  },\n"
    "  \"blockIO\": {\n"
    "    \"weight\": 0\n"
    "  },\n"
    "  \"pids\": {\n"
    "    \"limit\": 0\n"
    "  }\n"
    "}\n\n"
    "Note: if data is to be read from a file or the standard input, all\n"
    "other options are ignored.  Memory values accept units: 100m, 1g.",
  .run = cmd_update,
};
