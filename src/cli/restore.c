/* SPDX-License-Identifier: Apache-2.0 */
/* hydra-runc restore: a container from a CRIU checkpoint.  runc 1.5's flags
   (restore.go) plus the two its callers pass although runc 1.5 has no such
   flag: --tcp-close (Podman through --runtime-opt, as crun takes it) and
   --no-new-keyring (conmon adds it to restore as to create).  Unless
   detached, it waits and exits with the container's status, as runc does so
   that a supervisor sees the real exit code. */
#include <config.h>
#include "cli.h"

#include <stdlib.h>

static int
cmd_restore (const struct cli_command *self, struct hr_context *ctx, int argc, char **argv)
{
  struct hr_restore_opts ro = { .bundle = "." };
  _cleanup_ (hr_opts_result_clear) struct hr_opts_result args = { 0 };
  hr_err err = NULL;
  int status, exit_code = 0, rc = 1;
  const struct hr_opt opts[] = {
    { "console-socket", NULL, HR_OPT_STRING, &ro.console_socket, CLI_HELP_CONSOLE_SOCKET, NULL },
    { "image-path", NULL, HR_OPT_STRING, &ro.image_path, "path to criu image files for restoring", NULL },
    { "work-path", NULL, HR_OPT_STRING, &ro.work_path, "path for saving work files and logs", NULL },
    { "tcp-established", NULL, HR_OPT_BOOL, &ro.tcp_established, "allow open tcp connections", NULL },
    { "tcp-close", NULL, HR_OPT_BOOL, &ro.tcp_close,
      "close the tcp connections of the checkpoint instead of restoring them", NULL },
    { "ext-unix-sk", NULL, HR_OPT_BOOL, &ro.ext_unix_sk, "allow external unix sockets", NULL },
    { "shell-job", NULL, HR_OPT_BOOL, &ro.shell_job, "allow shell jobs", NULL },
    { "file-locks", NULL, HR_OPT_BOOL, &ro.file_locks, "handle file locks, for safety", NULL },
    { "manage-cgroups-mode", NULL, HR_OPT_STRING, &ro.manage_cgroups_mode,
      "cgroups mode: soft|full|strict|ignore (default: soft)", NULL },
    { "bundle", "b", HR_OPT_STRING, &ro.bundle, "path to the root of the bundle directory", NULL },
    { "detach", "d", HR_OPT_BOOL, &ro.detach, "detach from the container's process", NULL },
    { "pid-file", NULL, HR_OPT_STRING, &ro.pid_file, CLI_HELP_PID_FILE, NULL },
    { "no-subreaper", NULL, HR_OPT_BOOL, &ro.no_subreaper, CLI_HELP_NO_SUBREAPER, NULL },
    { "no-pivot", NULL, HR_OPT_BOOL, &ro.no_pivot, CLI_HELP_NO_PIVOT, NULL },
    { "no-new-keyring", NULL, HR_OPT_BOOL, &ro.no_new_keyring, CLI_HELP_NO_NEW_KEYRING, NULL },
    { "empty-ns", NULL, HR_OPT_STRV, &ro.empty_ns, "create a namespace, but don't restore its properties", NULL },
    { "auto-dedup", NULL, HR_OPT_BOOL, &ro.auto_dedup, "enable auto deduplication of memory images", NULL },
    { "lazy-pages", NULL, HR_OPT_BOOL, &ro.lazy_pages, "use userfaultfd to lazily restore memory pages", NULL },
    { "lsm-profile", NULL, HR_OPT_STRING, &ro.lsm_profile,
      "Specify an LSM profile to be used during restore in the form of TYPE:NAME.", NULL },
    { "lsm-mount-context", NULL, HR_OPT_STRING, &ro.lsm_mount_context,
      "Specify an LSM mount context to be used during restore.", NULL },
    { NULL },
  };

  if (!cli_parse (self, opts, argc, argv, 1, 1, &args, &status))
    {
      rc = status;
      goto out;
    }
  CLI_UNSET_EMPTY (&ro.bundle, &ro.image_path, &ro.work_path, &ro.pid_file, &ro.console_socket,
                   &ro.manage_cgroups_mode, &ro.lsm_profile, &ro.lsm_mount_context);
  /* runc's -b "" is the current directory. */
  if (ro.bundle == NULL)
    ro.bundle = ".";
  if (hr_container_restore (ctx, args.args[0], &ro, &exit_code, &err) < 0)
    {
      rc = cli_fail (&err);
      goto out;
    }
  /* Detached: the container runs on and exit_code stays 0. */
  rc = ro.detach ? 0 : exit_code;
out:
  free (ro.empty_ns);
  return rc;
}

const struct cli_command cli_cmd_restore = {
  .name = "restore",
  .summary = "restore a container from a previous checkpoint",
  .usage = "[command options] <container-id>",
  .description =
    "   The restore command brings back a container that \"checkpoint\" saved, from\n"
    "its image files and the bundle's config.json, under the id given (which may\n"
    "differ from the checkpointed one).  Without --detach it waits for the\n"
    "container and exits with its exit status.",
  .run = cmd_restore,
};
