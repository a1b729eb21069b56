/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The library API that src/cli calls.  Data flows one way:
 * CLI -> lifecycle (this API) -> mechanisms -> kernel.
 *
 * Every function returns >= 0 on success, or -1 with *err set (the caller
 * prints it; nothing here prints an error).
 */
#ifndef HYDRA_H
#define HYDRA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "error.h"

/* Global options, shared by every subcommand. */
struct hr_context
{
  const char *root;     /* state root; NULL means the default (hr_default_root) */
  bool systemd_cgroup;  /* --systemd-cgroup */
  int rootless;         /* --rootless: 0 false, 1 true, -1 auto */
  bool debug;           /* --debug: print the setup plan, trace steps */
  const char *criu;     /* --criu PATH (runc 1.1's global flag); NULL: `criu` from PATH */
};

/* /run/hydra-runc; $XDG_RUNTIME_DIR/hydra-runc where runc would use
   $XDG_RUNTIME_DIR/runc (hr_honor_xdg_runtime_dir).  The same on every call,
   since Podman's cleanup passes no --root.  Caller frees. */
char *hr_default_root (void);

/* --rootless decided as runc's shouldUseRootlessCgroupManager: the flag's
   value when given; auto: true unless we are root in the initial user
   namespace. */
bool hr_context_rootless (const struct hr_context *ctx);

/* Options of create and run (runc's flags). */
struct hr_create_opts
{
  const char *bundle;          /* --bundle, default "." */
  const char *pid_file;        /* --pid-file */
  const char *console_socket;  /* --console-socket */
  const char *pidfd_socket;    /* --pidfd-socket: gets a pidfd of the init */
  int preserve_fds;            /* --preserve-fds N */
  bool no_pivot;               /* --no-pivot */
  bool no_new_keyring;         /* --no-new-keyring */
  bool no_subreaper;           /* --no-subreaper (run only) */
  bool detach;                 /* --detach (run only) */
  bool keep;                   /* --keep (run only) */
};

/* Container ids must match ^[a-zA-Z0-9_+-][a-zA-Z0-9_+.-]*$, at most 1024. */
int hr_validate_id (const char *id, hr_err *err);

int hr_container_create (struct hr_context *ctx, const char *id, const struct hr_create_opts *opts, hr_err *err);
int hr_container_start (struct hr_context *ctx, const char *id, hr_err *err);
/* create + start; unless opts->detach, wait for the init and store its exit
   status in *exit_code (128+N when killed by signal N). */
int hr_container_run (struct hr_context *ctx, const char *id, const struct hr_create_opts *opts, int *exit_code,
                      hr_err *err);
int hr_container_kill (struct hr_context *ctx, const char *id, int signo, bool all, hr_err *err);
/* A stopped or created container is removed; a running one only with force
   (SIGKILL, then wait).  force on an unknown id succeeds. */
int hr_container_delete (struct hr_context *ctx, const char *id, bool force, hr_err *err);

/* Options of exec (runc's flags).  With process (--process FILE) that
   document is the whole process and the flags that describe one (args,
   tty, cwd, env, user, additional_gids, caps, no_new_privs, labels) are
   ignored, as in runc; otherwise config.process (as stored at create time)
   is the base and the flags override or extend it. */
struct hr_exec_opts
{
  const char *process;          /* --process/-p FILE */
  char **args;                  /* the command, NULL-terminated */
  bool tty;                     /* --tty/-t */
  bool detach;                  /* --detach/-d */
  const char *pid_file;         /* --pid-file: the host pid */
  const char *console_socket;   /* --console-socket */
  const char *pidfd_socket;     /* --pidfd-socket: gets a pidfd of the process */
  const char *cwd;              /* --cwd */
  char **env;                   /* --env/-e, appended to config.process.env */
  const char *user;             /* --user/-u uid[:gid], digits only */
  char **additional_gids;       /* --additional-gids/-g, appended */
  char **caps;                  /* --cap/-c: added to bounding, effective,
                                   permitted and ambient, never inheritable */
  bool no_new_privs;            /* --no-new-privs */
  int preserve_fds;             /* --preserve-fds N */
  bool ignore_paused;           /* --ignore-paused */
  const char *cgroup;           /* --cgroup: an existing sub-cgroup of the container's */
  const char *process_label;    /* --process-label: SELinux label (lsm.h) */
  const char *apparmor;         /* --apparmor: AppArmor profile (lsm.h) */
};
/* Run a process in a running (or created) container; unless opts->detach,
   wait for it and store its exit status in *exit_code (128+N when killed
   by signal N). */
int hr_container_exec (struct hr_context *ctx, const char *id, const struct hr_exec_opts *opts, int *exit_code,
                       hr_err *err);
/* "uid[:gid]" for exec --user: decimal digits only, no sign, no names, no
   trailing junk, each below 2^32 - 1 ((uid_t) -1 means "unchanged" to
   setresuid).  *has_gid tells whether a gid was given. */
int hr_parse_user_spec (const char *s, unsigned *uid, unsigned *gid, bool *has_gid, hr_err *err);

/* Host pids of the container's processes, ascending.  Until cgroups land:
   every process in the init's pid namespace when the container has its
   own, else just the init.  Caller frees *pids. */
int hr_container_pids (struct hr_context *ctx, const char *id, pid_t **pids, size_t *n, hr_err *err);

/* What `state` and `list` report for a container (runc's shape). */
struct hr_container_info
{
  char *id;
  pid_t pid;           /* 0 when stopped */
  char *status;        /* creating | created | running | stopped */
  char *bundle;
  char *rootfs;
  char *created;       /* RFC 3339 */
  char *owner;
  char **annotation_keys;
  char **annotation_values;
  size_t annotations_len;
};
void hr_container_info_free (struct hr_container_info *info);

/* Options of checkpoint (runc's flags, checkpoint.go).  NULL strings and
   false: not given. */
struct hr_checkpoint_opts
{
  const char *image_path;          /* --image-path, default "./checkpoint" (made if missing) */
  const char *work_path;           /* --work-path: dump.log, stats-dump; default the image path */
  const char *parent_path;         /* --parent-path: relative to image_path, an existing directory */
  bool leave_running;              /* --leave-running */
  bool tcp_established;            /* --tcp-established */
  bool tcp_skip_in_flight;         /* --tcp-skip-in-flight */
  bool link_remap;                 /* --link-remap */
  bool ext_unix_sk;                /* --ext-unix-sk */
  bool shell_job;                  /* --shell-job */
  bool file_locks;                 /* --file-locks */
  bool pre_dump;                   /* --pre-dump: memory only, container keeps running */
  bool lazy_pages;                 /* --lazy-pages: serve pages until the restore took them */
  bool auto_dedup;                 /* --auto-dedup */
  const char *page_server;         /* --page-server ADDR:PORT */
  int status_fd;                   /* --status-fd N with --lazy-pages; -1 when not given */
  const char *manage_cgroups_mode; /* --manage-cgroups-mode soft|full|strict|ignore */
  char **empty_ns;                 /* --empty-ns NS (repeatable): only "network" */
  int page_server_fd;              /* (migrate) CRIU's page server on this connected socket; 0: none */
};
/* Dump a running or paused container with CRIU.  Without leave_running
   or pre_dump, a successful dump leaves no container behind; a failed one
   leaves it as it was. */
int hr_container_checkpoint (struct hr_context *ctx, const char *id, const struct hr_checkpoint_opts *opts,
                             hr_err *err);

/* Options of restore (runc's flags, restore.go, plus crun's --tcp-close). */
struct hr_restore_opts
{
  const char *image_path;          /* --image-path, default "./checkpoint" */
  const char *work_path;           /* --work-path: restore.log, stats-restore; default the image path */
  const char *bundle;              /* --bundle/-b, default "." */
  const char *pid_file;            /* --pid-file */
  const char *console_socket;      /* --console-socket */
  bool detach;                     /* --detach/-d */
  bool no_pivot;                   /* --no-pivot (accepted; CRIU restores the mount namespace) */
  bool no_subreaper;               /* --no-subreaper / -no-subreaper */
  bool no_new_keyring;             /* --no-new-keyring (accepted; CRIU restores the keyring-less tree) */
  bool tcp_established;            /* --tcp-established */
  bool tcp_close;                  /* --tcp-close */
  bool ext_unix_sk;                /* --ext-unix-sk */
  bool shell_job;                  /* --shell-job */
  bool file_locks;                 /* --file-locks */
  bool auto_dedup;                 /* --auto-dedup */
  bool lazy_pages;                 /* --lazy-pages: pages come from a `criu lazy-pages` daemon */
  const char *manage_cgroups_mode; /* --manage-cgroups-mode soft|full|strict|ignore */
  char **empty_ns;                 /* --empty-ns NS (repeatable): only "network" */
  const char *lsm_profile;         /* --lsm-profile TYPE:NAME */
  const char *lsm_mount_context;   /* --lsm-mount-context CTX */
  bool stdio_null;                 /* the restored tree's inherited stdio is /dev/null (migrate-receive) */
};
/* Restore a container from a checkpoint under ID with the bundle's
   config.  Unless opts->detach, wait for its init and store its exit
   status in *exit_code (128+N when killed by signal N). */
int hr_container_restore (struct hr_context *ctx, const char *id, const struct hr_restore_opts *opts, int *exit_code,
                          hr_err *err);

/* Options of migrate (the source's side of a live migration, docs/migration.md). */
struct hr_migrate_opts
{
  const char *to;              /* --to ADDR:PORT */
  const char *key_file;        /* --key FILE (mode 0600) */
  const char *mode;            /* --mode stop-copy|pre-copy|post-copy; NULL: stop-copy */
  unsigned max_rounds;         /* --max-rounds N: pre-dump rounds at most (pre-copy) */
  bool tcp_established;        /* --tcp-established */
  bool sync_rootfs;            /* --sync-rootfs: send the rootfs when the target has none */
  unsigned timeout_s;          /* --timeout: seconds without progress before giving up */
};
#define HR_MIGRATE_MAX_ROUNDS 64
struct hr_migrate_round
{
  uint64_t pages;              /* pages CRIU wrote in that round */
  uint64_t bytes;              /* bytes of images sent for it */
};
struct hr_migrate_stats
{
  const char *mode;
  double downtime_ms;          /* source frozen -> target running */
  double total_ms;             /* the whole command */
  double frozen_ms;            /* CRIU's frozen_time of the final dump */
  double dump_ms, send_ms, restore_ms; /* the downtime's parts: final dump, its transfer, the restore */
  uint64_t bytes_sent;         /* everything sent on the channel */
  struct hr_migrate_round rounds[HR_MIGRATE_MAX_ROUNDS + 1];
  size_t n_rounds;             /* pre-dumps, then the final dump */
};
/* Move the running container ID to the target that waits for it
   (migrate-receive).  Returns 0 only when it runs there and is gone here;
   on any failure before the target reported it running, the container
   runs here again. */
int hr_container_migrate (struct hr_context *ctx, const char *id, const struct hr_migrate_opts *opts,
                          struct hr_migrate_stats *stats, hr_err *err);
/* The stats as one JSON object (--stats-json). */
char *hr_migrate_stats_json (const struct hr_migrate_stats *stats);

/* Options of migrate-receive (the target's side). */
struct hr_migrate_receive_opts
{
  const char *bundle;          /* --bundle DIR */
  const char *listen;          /* --listen ADDR:PORT */
  const char *key_file;        /* --key FILE */
  unsigned timeout_s;          /* --timeout */
};
/* Wait for one migration of ID, restore it from the bundle; *pid gets
   its init. */
int hr_container_migrate_receive (struct hr_context *ctx, const char *id, const struct hr_migrate_receive_opts *opts,
                                  pid_t *pid, hr_err *err);

/* Freeze / thaw the container's cgroup; `state` then says "paused". */
int hr_container_pause (struct hr_context *ctx, const char *id, hr_err *err);
int hr_container_resume (struct hr_context *ctx, const char *id, hr_err *err);

/* events (events.c): each event is one compact JSON object in runc's shape
   ({"type":"stats","id":..,"data":{..}} or {"type":"oom","id":..}), handed
   to cb without a newline; cb returns -1 with *err set to stop.  With
   stats_only, one stats event; otherwise stats every interval_ms and OOM
   events as they happen, until the container's init exits. */
typedef int (*hr_event_cb) (const char *json, void *data, hr_err *err);
int hr_container_events (struct hr_context *ctx, const char *id, bool stats_only, unsigned interval_ms,
                         hr_event_cb cb, void *cb_data, hr_err *err);
/* events --audit: a sandboxed container's audit stream (docs/sandbox.md),
   one JSON line per cb, from its first line until the audit process ends
   (delete stops it). */
int hr_container_audit_events (struct hr_context *ctx, const char *id, hr_event_cb cb, void *cb_data, hr_err *err);

/* Options of update (runc's flags).  With resources (--resources FILE, "-"
   for stdin) that linux.resources document is the update and the other
   flags are ignored, as in runc.  NULL strings and 0 ints: not given. */
struct hr_update_opts
{
  const char *resources;
  const char *memory, *memory_reservation, *memory_swap, *kernel_memory, *kernel_memory_tcp; /* "100m", "1g", "-1" */
  const char *cpu_quota, *cpu_period, *cpu_rt_period, *cpu_rt_runtime, *cpu_share;
  const char *cpuset_cpus, *cpuset_mems;
  int pids_limit;
  int blkio_weight;
  const char *l3_cache_schema, *mem_bw_schema; /* Intel RDT: refused */
};
/* Change the cgroup limits of a created, running or paused container; the
   stored config gets the new values. */
int hr_container_update (struct hr_context *ctx, const char *id, const struct hr_update_opts *opts, hr_err *err);
/* docker/go-units RAMInBytes: "100m", "1.5g", "512 KiB" (binary units). */
int hr_parse_ram_bytes (const char *s, int64_t *out, hr_err *err);

int hr_container_state (struct hr_context *ctx, const char *id, struct hr_container_info *out, hr_err *err);
/* All containers under the root, sorted by id. */
int hr_container_list (struct hr_context *ctx, struct hr_container_info **out, size_t *n, hr_err *err);

/* JSON documents.  Caller frees *json. */
int hr_state_to_json (const struct hr_container_info *info, char **json, hr_err *err);
int hr_list_to_json (const struct hr_container_info *infos, size_t n, char **json, hr_err *err);
/* The default config.json that `spec` writes. */
int hr_spec_json (bool rootless, char **json, hr_err *err);
/* `spec --policy FILE`: that template with the sandbox policy in FILE
   (YAML or JSON) lowered into it. */
int hr_spec_policy_json (bool rootless, const char *policy_file, char **json, hr_err *err);
/* The `features` document: only what works today. */
int hr_features_json (char **json, hr_err *err);

/* "KILL", "SIGKILL", "9", "sigterm": runc accepts names with or without the
   SIG prefix, any case, and numbers. */
int hr_parse_signal (const char *s, int *signo, hr_err *err);

/* Library versions for --version. */
const char *hr_lib_versions (void);

#endif
