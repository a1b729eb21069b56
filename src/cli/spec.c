/* SPDX-License-Identifier: Apache-2.0 */
/* hydra-runc spec: write a starting config.json into the bundle. */
#include <config.h>
#include "cli.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static int
write_spec (const char *bundle, const char *json, hr_err *err)
{
  _cleanup_close_ int dirfd = -1;
  _cleanup_close_ int fd = -1;

  dirfd = open (bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0)
    return hr_error_set (err, errno, "open bundle `%s`", bundle);
  /* O_EXCL refuses an existing file without a check-then-create race. */
  fd = openat (dirfd, "config.json", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0 && errno == EEXIST)
    return hr_error_set (err, 0, "File config.json exists. Remove it first");
  if (fd < 0)
    return hr_error_set (err, errno, "create `%s/config.json`", bundle);
  if (hr_write_all (fd, json, strlen (json)) < 0)
    {
      int saved = errno;
      /* A truncated file would make the next `spec` refuse to run. */
      (void) unlinkat (dirfd, "config.json", 0);
      return hr_error_set (err, saved, "write `%s/config.json`", bundle);
    }
  return 0;
}

static int
cmd_spec (const struct cli_command *self, struct hr_context *ctx, int argc, char **argv)
{
  _cleanup_ (hr_opts_result_clear) struct hr_opts_result args = { 0 };
  _cleanup_free_ char *json = NULL;
  const char *bundle = ".";
  const char *policy = NULL;
  bool rootless = false;
  hr_err err = NULL;
  int status;
  const struct hr_opt opts[] = {
    { "bundle", "b", HR_OPT_STRING, &bundle, "path to the root of the bundle directory", NULL },
    { "rootless", NULL, HR_OPT_BOOL, &rootless, "generate a configuration for a rootless container", NULL },
    { "policy", NULL, HR_OPT_STRING, &policy, "lower the sandbox policy in this YAML or JSON file into the configuration", NULL },
    { NULL },
  };

  if (!cli_parse (self, opts, argc, argv, 0, 0, &args, &status))
    return status;
  if (*bundle == '\0')
    bundle = ".";
  if (policy ? hr_spec_policy_json (rootless, policy, &json, &err) < 0 : hr_spec_json (rootless, &json, &err) < 0)
    return cli_fail (&err);
  if (write_spec (bundle, json, &err) < 0)
    return cli_fail (&err);
  return 0;
}

const struct cli_command cli_cmd_spec = {
  .name = "spec",
  .summary = "create a new specification file",
  .usage = "[command options]",
  .description =
    "   The spec command creates the new specification file named \"config.json\" for\n"
    "the bundle (the current directory unless --bundle is given).  It refuses to\n"
    "overwrite an existing one.  Edit the \"args\" parameter to change the process\n"
    "that \"start\" runs; the root filesystem goes into \"rootfs\":\n\n"
    "       mkdir rootfs\n"
    "       docker export $(docker create busybox) | tar -C rootfs -xf -\n"
    "       hydra-runc spec\n\n"
    "   With --policy FILE, a sandbox policy (YAML or JSON, see docs/sandbox.md) is\n"
    "lowered into the configuration: read-only root, tmpfs writable paths, no\n"
    "capabilities, cgroup limits, a deny-by-default seccomp profile and a network\n"
    "namespace, and the policy itself in the org.hydra-runc.sandbox.policy annotation.",
  .run = cmd_spec,
};
