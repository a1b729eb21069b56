/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one conversation with CRIU.  `criu swrk 3` runs as our child over a
 * SOCK_SEQPACKET socketpair and is driven with the messages of CRIU's
 * rpc.proto (the generated code ships in Debian's libcriu; protobuf-c does
 * the wire format): VERSION and FEATURE_CHECK on the same connection
 * (keep_open), then one DUMP, PRE_DUMP or RESTORE, answering each
 * notification on the way.  This is runc's transport (criu_linux.go
 * criuSwrk), not libcriu's wrappers: libcriu has no setter for lazy
 * pages, the status fd or leave-stopped.  The callers describe a request
 * in the typed struct below; nothing outside this file sees protobuf.
 */
#ifndef HYDRA_CRIU_H
#define HYDRA_CRIU_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "error.h"

/* runc and crun refuse older CRIU: the external pid namespace check
   needs 3.15 (design doc §0.3; crun LIBCRIU_MIN_VERSION 31500). */
#define HR_CRIU_MIN_VERSION 31500

enum hr_criu_action
{
  HR_CRIU_DUMP,
  HR_CRIU_PRE_DUMP,
  HR_CRIU_RESTORE,
};

/* --manage-cgroups-mode; DEFAULT sends nothing (CRIU's default, soft). */
enum hr_criu_cg_mode
{
  HR_CRIU_CG_DEFAULT = 0,
  HR_CRIU_CG_SOFT,
  HR_CRIU_CG_FULL,
  HR_CRIU_CG_STRICT,
  HR_CRIU_CG_IGNORE,
};
/* "soft", "full", "strict", "ignore" (NULL or "" is DEFAULT); -1 else. */
int hr_criu_cg_mode_parse (const char *s);

struct hr_criu_pair
{
  char *key;
  char *val;
};

/* An fd CRIU inherits under KEY (inherit_fd): FD is ours; 0-2 stay CRIU's
   stdio, others are installed in CRIU at 4 and up. */
struct hr_criu_fd
{
  char *key;
  int fd;
};

struct hr_criu_req
{
  enum hr_criu_action action;
  int images_fd;               /* --image-path, open O_PATH|O_DIRECTORY is not enough: O_RDONLY */
  int work_fd;                 /* --work-path */
  const char *log_file;        /* a name in the work dir */
  const char *root;            /* the rootfs (dump), a mount point of it (restore) */
  pid_t pid;                   /* dump: the init */
  const char *freeze_cgroup;   /* dump: the freezer (v1) or the cgroup (v2) */
  const char *parent_img;      /* dump: --parent-path (relative to the images) */
  const char *config_file;     /* org.criu.config, /etc/criu/{hydra-,}runc.conf */
  const char *lsm_profile, *lsm_mount_context;
  const char *ps_address;      /* --page-server */
  int ps_port;
  bool leave_running, tcp_established, tcp_skip_in_flight, tcp_close, link_remap, ext_unix_sk, shell_job,
      file_locks, track_mem, auto_dedup, lazy_pages, orphan_pts_master, rst_sibling, evasive_devices;
  enum hr_criu_cg_mode cg_mode;
  unsigned empty_ns;           /* CLONE_NEW* CRIU makes empty instead of restoring */
  struct hr_criu_pair *ext_mnt;
  size_t n_ext_mnt;
  char **external;             /* "net[INODE]:extRootNetNS", ... */
  size_t n_external;
  struct hr_criu_fd *inherit;
  size_t n_inherit;
  struct hr_criu_pair *join_ns;   /* key: ns name, val: its file */
  size_t n_join_ns;
  struct hr_criu_pair *cg_root;   /* key: controller or NULL, val: path */
  size_t n_cg_root;
  /* A connected socket CRIU's page server uses instead of TCP (> 2; 0:
     none): a dump sends its pages into it, a lazy dump serves them on it
     (migrate, whose channel carries them). */
  int ps_sock;
  char *ps_config;             /* (the configuration file made for a lazy one) */
  /* Stdio of CRIU: -1 for /dev/null.  Restore gives it ours: the restored
     tree's inherited pipes (descriptors.json) are CRIU's fds 0-2. */
  int stdio[3];
};

void hr_criu_req_clear (struct hr_criu_req *req);
void hr_criu_req_add_ext_mnt (struct hr_criu_req *req, const char *key, const char *val);
void hr_criu_req_add_external (struct hr_criu_req *req, char *owned);
void hr_criu_req_add_inherit (struct hr_criu_req *req, const char *key, int fd);
void hr_criu_req_add_join_ns (struct hr_criu_req *req, const char *ns, const char *file);
void hr_criu_req_add_cg_root (struct hr_criu_req *req, const char *ctrl, const char *path);

/* What the caller does while CRIU works.  Each callback returns -1 with
   *err set to make CRIU abort (notify_success = false). */
struct hr_criu_callbacks
{
  /* CRIU is running (pid), before the request is sent: restore puts it
     into the container's cgroup here (runc criuApplyCgroups). */
  int (*spawned) (pid_t criu, struct hr_criu_req *req, void *data, hr_err *err);
  /* A notification: SCRIPT is CRIU's action name ("setup-namespaces",
     "post-restore", "orphan-pts-master", "status-ready", ...), PID the
     task it is about, FD one passed with it (orphan-pts-master) or -1;
     the callee takes FD. */
  int (*notify) (const char *script, pid_t pid, int fd, void *data, hr_err *err);
  void *data;
};

/* What CRIU can do: asked on the same connection before the request. */
struct hr_criu_needs
{
  bool mem_track;   /* --pre-dump, --parent-path: soft-dirty tracking */
  bool lazy_pages;  /* --lazy-pages: userfaultfd with non-cooperative events */
};

/* Run CRIU (the binary CRIU, NULL: "criu" from PATH) on REQ.  Checks its
   version (>= HR_CRIU_MIN_VERSION) and the features NEEDS asks for first.
   On restore *restored gets the restored init's pid (our child: CRIU
   restores it as its sibling).  A failure names CRIU's log file and
   quotes its Error lines. */
int hr_criu_run (const char *criu, struct hr_criu_req *req, const struct hr_criu_needs *needs,
                 const struct hr_criu_callbacks *cb, pid_t *restored, hr_err *err);

/* The CRIU binary: CRIU as given (--criu), else `criu` from PATH. */
int hr_criu_binary (const char *criu, char **out, hr_err *err);
/* The file lazy_ps_config writes into the work directory. */
#define HR_CRIU_PS_CONFIG "criu-page-server.conf"

/* Whether CRIU's lazy pages can work on this host (its pipe size). */
int hr_criu_lazy_pages_usable (hr_err *err);

/* CRIU's version as major * 10000 + minor * 100 + sublevel (go-criu's
   number; a git build counts as the next minor, as libcriu does). */
int hr_criu_version (const char *criu, int *version, hr_err *err);

#endif
