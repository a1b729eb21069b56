/* SPDX-License-Identifier: Apache-2.0 */
/* Internals shared by the lifecycle files (container.c, query.c). */
#ifndef HYDRA_LIFECYCLE_H
#define HYDRA_LIFECYCLE_H

#include <stdbool.h>
#include <sys/types.h>
#include "error.h"
#include "hydra.h"
#include "oci.h"
#include "state/state.h"

/* Open the root and the container's state dir (locked as asked); read its
   state. */
struct hr_container
{
  int rootfd;
  int dirfd;
  hr_state_file *state;
  const char *status;
  pid_t pid;
};

struct hr_cgroup;
/* The container's cgroup as state.json recorded it, with the driver that made
   it (cgroup_driver.h); *out NULL when none. */
int hr_container_cgroup (const struct hr_container *c, struct hr_cgroup **out, hr_err *err);

/* Every process of a loaded container (cgroup, else pid namespace). */
int hr_container_procs (const struct hr_container *c, pid_t **pids, size_t *n, hr_err *err);

/* LOCK: what the command needs (state.h "Locking"): readers and kill
   HR_STATE_NO_LOCK, commands that change the container HR_STATE_LOCK_EX. */
int hr_container_load (struct hr_context *ctx, const char *id, enum hr_state_lock lock, struct hr_container *c,
                       hr_err *err);
void hr_container_release (struct hr_container *c);

/* A pidfd of the init, checked against its recorded start time (no
   recycled pid). */
int hr_container_pidfd (const struct hr_container *c, hr_err *err);
/* Signal the init through a pidfd, checking that the pid still names the
   process we started (no signal to a recycled pid). */
int hr_signal_init (const struct hr_container *c, int signo, hr_err *err);
/* Wait (bounded) until the init has exited. */
int hr_wait_init_exit (pid_t pid, unsigned long long start_time, int timeout_ms, hr_err *err);

/* Once the init is gone: kill what is left in the cgroup (a container
   sharing our pid namespace can leave children), thaw it (a v1-frozen
   task cannot die), and remove the directories (query.c). */
int hr_cgroup_empty_destroy (struct hr_cgroup *cg, hr_err *err);

/* What create and restore share (container.c). */
/* The foreground of run and restore: forward the signals runc forwards
   (HUP INT QUIT TERM USR1 USR2 WINCH CONT) to PID; wait for it, proxying
   the pty MASTER (-1: none), and store its exit status (128+N when killed
   by signal N). */
void hr_forward_signals_to (pid_t pid);
int hr_wait_foreground (pid_t pid, int master, int *exit_code, hr_err *err);
char *hr_now_rfc3339 (void);
/* --bundle (default ".") made absolute. */
int hr_resolve_bundle (const char *opt, char **bundle, hr_err *err);
/* root.path of the config, absolute, an existing directory. */
int hr_resolve_rootfs (const char *bundle, const oci_config *cfg, char **out, hr_err *err);
/* config.json parsed, and its bytes (what the state dir keeps). */
int hr_read_config (const char *path, char **data, size_t *len, oci_config **cfg, hr_err *err);
/* The first state.json of a container: status "creating", this process
   as its creator. */
hr_state_file *hr_state_new_creating (const struct hr_context *ctx, const char *id, const char *bundle,
                                      const char *rootfs, const oci_config *cfg);

/* --pidfd-socket (runc 1.2): connected (SOCK_STREAM) before anything is
   made, so a bad path fails the command with nothing to undo; then a
   pidfd of PID sent with SCM_RIGHTS and runc's payload, the kind of
   process ("standard": the init, "setns": an exec'd one). */
int hr_pidfd_socket_connect (const char *path, hr_err *err);
int hr_pidfd_socket_send (int sock, pid_t pid, const char *kind, hr_err *err);

/* The readlinks of the init's fds 0-2 into st->external_descriptors
   (checkpoint writes them to descriptors.json). */
void hr_record_descriptors (pid_t pid, hr_state_file *st);

#endif
