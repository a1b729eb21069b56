/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The state store: one directory per container under the root
 * (/run/hydra-runc/<id>/), holding state.json (written atomically) and,
 * while the container is created but not started, exec.fifo.
 *
 * Locking.  Commands that change a container (create, start, delete,
 * pause, resume, update) take an exclusive flock on its directory for
 * their own short critical sections, so two of them never interleave on
 * one id.  None holds it while a hook runs: a hook may call back into the
 * runtime, and a hung one must not stop `kill` or `delete --force`
 * (runc holds no lock over hooks either).  Readers (state, list, ps,
 * events) and kill take no lock at all: state.json is only ever replaced
 * by rename, so a reader sees a whole document, and kill finds the init
 * through a pidfd checked against its start time.
 */
#ifndef HYDRA_STATE_H
#define HYDRA_STATE_H

#include <stdbool.h>
#include <sys/types.h>
#include "error.h"
#include "hydra.h"
#include "oci.h"

#define HR_STATE_FILE "state.json"
#define HR_EXEC_FIFO "exec.fifo"
/* The config the container was created with: exec, hooks and restore use
   it, not the bundle's config.json, which may have changed since. */
#define HR_CONFIG_FILE "config.json"

/* Open (creating it 0700 when missing) the state root.  *path gets the
   absolute path; caller frees. */
int hr_state_root_open (struct hr_context *ctx, char **path, hr_err *err);

#define HR_STATE_DIR_NAME_MAX 64
/* The directory name of a container: the id itself, or for ids longer than
   a file name may be, "~" and a hash of it. */
const char *hr_state_dir_name (const char *id, char buf[HR_STATE_DIR_NAME_MAX]);

/* Make <root>/<id> and lock it exclusively.  An existing id is refused
   ("container with id exists: ID") and left untouched. */
int hr_state_dir_create (int rootfd, const char *id, hr_err *err);
/* (Numbered so that the `bool exclusive` this replaced keeps its
   meaning: false shared, true exclusive.) */
enum hr_state_lock
{
  HR_STATE_LOCK_SH = 0,
  HR_STATE_LOCK_EX = 1,
  HR_STATE_NO_LOCK = 2,
};
/* Open (and lock as asked) <root>/<id>; "container does not exist" when
   missing (or deleted while we waited for the lock). */
int hr_state_dir_open (int rootfd, const char *id, enum hr_state_lock lock, hr_err *err);
/* Take / drop the exclusive lock on an open state dir. */
int hr_state_dir_lock (int dirfd, hr_err *err);
void hr_state_dir_unlock (int dirfd);
/* Whether some command holds the lock right now (never waits). */
bool hr_state_dir_busy (int dirfd);
/* Whether DIRFD is still the directory <root>/<id> names (not removed by
   a delete, nor replaced by a new create of the same id). */
bool hr_state_dir_is_ours (int rootfd, const char *id, int dirfd);
/* Detach whatever is mounted on NAME in the state dir (criu-root of a
   restore that was killed). */
void hr_state_dir_detach (int dirfd, const char *name);
/* Remove <root>/<id> and what it holds. */
int hr_state_dir_remove (int rootfd, const char *id, hr_err *err);

/* state.json: write to a temporary and rename it over the old, so a
   killed writer leaves the old or the new file, never half of one. */
int hr_state_write (int dirfd, const hr_state_file *st, hr_err *err);
int hr_state_read (int dirfd, hr_state_file **out, hr_err *err);
/* Any file of the state dir, written the same atomic way. */
int hr_state_write_file (int dirfd, const char *name, const char *data, size_t len, hr_err *err);
/* The two halves of that write, for a caller that must know the new file
   fits before it changes anything else (update): stage writes NAME.tmp,
   commit renames it over NAME, unstage drops it. */
int hr_state_stage_file (int dirfd, const char *name, const char *data, size_t len, hr_err *err);
int hr_state_stage_config (int dirfd, const oci_config *cfg, hr_err *err);
int hr_state_commit_file (int dirfd, const char *name, hr_err *err);
void hr_state_unstage_file (int dirfd, const char *name);
int hr_state_load_config (int dirfd, oci_config **out, hr_err *err);

/* The truth about a container, from the kernel: its init is alive when the
   pid still names a non-zombie process with the recorded start time; it
   is "created" while exec.fifo exists, "creating" while state.json says
   so and the init (or before it exists, the create process) lives.  Returns the status and sets *pid
   (0 when stopped). */
const char *hr_state_status (int dirfd, const hr_state_file *st, pid_t *pid);
/* Whether PID is a live (non-zombie) process with that start time. */
bool hr_state_proc_alive (pid_t pid, bool start_present, unsigned long long start_time);

#endif
