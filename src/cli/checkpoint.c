/* SPDX-License-Identifier: Apache-2.0 */
/* hydra-runc checkpoint: dump a running container with CRIU.  The flags
   are runc 1.5's (checkpoint.go), since containerd's go-runc, Podman and
   CRI-O build this command line; the library checks their values
   (checkpoint/criu_opts.c) with runc's words before it touches the
   container. */
#include <config.h>
#include "cli.h"

#include <stdlib.h>

static int
cmd_checkpoint (const struct cli_command *self, struct hr_context *ctx, int argc, char **argv)
{
  struct hr_checkpoint_opts co = { .status_fd = -1 };
  _cleanup_ (hr_opts_result_clear) struct hr_opts_result args = { 0 };
  hr_err err = NULL;
  int status, rc = 1;
  const struct hr_opt opts[] = {
    { "image-path", NULL, HR_OPT_STRING, &co.image_path, "path for saving criu image files", NULL },
    { "work-path", NULL, HR_OPT_STRING, &co.work_path, "path for saving work files and logs", NULL },
    { "parent-path", NULL, HR_OPT_STRING, &co.parent_path, "path for previous criu image files in pre-dump",
      NULL },
    { "leave-running", NULL, HR_OPT_BOOL, &co.leave_running, "leave the process running after checkpointing",
      NULL },
    { "tcp-established", NULL, HR_OPT_BOOL, &co.tcp_established, "allow open tcp connections", NULL },
    { "tcp-skip-in-flight", NULL, HR_OPT_BOOL, &co.tcp_skip_in_flight, "skip in-flight tcp connections", NULL },
    { "link-remap", NULL, HR_OPT_BOOL, &co.link_remap, "allow one to link unlinked files back when possible",
      NULL },
    { "ext-unix-sk", NULL, HR_OPT_BOOL, &co.ext_unix_sk, "allow external unix sockets", NULL },
    { "shell-job", NULL, HR_OPT_BOOL, &co.shell_job, "allow shell jobs", NULL },
    { "lazy-pages", NULL, HR_OPT_BOOL, &co.lazy_pages, "use userfaultfd to lazily restore memory pages", NULL },
    { "status-fd", NULL, HR_OPT_INT, &co.status_fd, "criu writes \\0 to this FD once lazy-pages is ready", "-1" },
    { "page-server", NULL, HR_OPT_STRING, &co.page_server, "ADDRESS:PORT of the page server", NULL },
    { "file-locks", NULL, HR_OPT_BOOL, &co.file_locks, "handle file locks, for safety", NULL },
    { "pre-dump", NULL, HR_OPT_BOOL, &co.pre_dump,
      "dump container's memory information only, leave the container running after this", NULL },
    { "manage-cgroups-mode", NULL, HR_OPT_STRING, &co.manage_cgroups_mode,
      "cgroups mode: soft|full|strict|ignore (default: soft)", NULL },
    { "empty-ns", NULL, HR_OPT_STRV, &co.empty_ns, "create a namespace, but don't restore its properties", NULL },
    { "auto-dedup", NULL, HR_OPT_BOOL, &co.auto_dedup, "enable auto deduplication of memory images", NULL },
    { NULL },
  };

  if (!cli_parse (self, opts, argc, argv, 1, 1, &args, &status))
    {
      rc = status;
      goto out;
    }
  /* runc reads --status-fd only for --lazy-pages (criu_linux.go). */
  if (!co.lazy_pages)
    co.status_fd = -1;
  CLI_UNSET_EMPTY (&co.image_path, &co.work_path, &co.parent_path, &co.page_server, &co.manage_cgroups_mode);
  if (hr_container_checkpoint (ctx, args.args[0], &co, &err) < 0)
    {
      rc = cli_fail (&err);
      goto out;
    }
  rc = 0;
out:
  free (co.empty_ns);
  return rc;
}

const struct cli_command cli_cmd_checkpoint = {
  .name = "checkpoint",
  .summary = "checkpoint a running container",
  .usage = "[command options] <container-id>",
  .description =
    "   The checkpoint command saves a running (or paused) container to image files\n"
    "with CRIU, to be brought back later by \"restore\", here or on another host.\n"
    "Unless --leave-running or --pre-dump is given, the container is gone once its\n"
    "image is written; a failed checkpoint leaves it as it was.",
  .run = cmd_checkpoint,
};
