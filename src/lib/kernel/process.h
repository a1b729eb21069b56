/* SPDX-License-Identifier: Apache-2.0 */
/* The container process's attributes: user, rlimits, executable lookup,
   and the final exec (runtime-spec config.md "Process"). */
#ifndef HYDRA_PROCESS_H
#define HYDRA_PROCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "error.h"
#include "oci.h"

/* OCI_RLIMIT_TYPE_NOFILE (process.rlimits[].type as parsed) ->
   RLIMIT_NOFILE, -1 when out of range; its name for messages.  Pure. */
int hr_rlimit_by_type (int type);
const char *hr_rlimit_name (int type);
int hr_rlimit_apply (int resource, const char *name, unsigned long long soft, unsigned long long hard, hr_err *err);

/* Find argv0 the way execvp would, with the PATH of the container's env
   (default PATH when it has none).  Runs inside the container's root.
   Errors worded as runc's, which engines match on:
   `exec: "x": executable file not found in $PATH`. */
int hr_lookup_exec (const char *argv0, char *const *env, char **out, hr_err *err);

/* setgroups/setresgid/setresuid to process.user, keeping capabilities
   across the uid change so hr_caps_apply can set the final sets. */
int hr_set_user (const oci_user *user, hr_err *err);

/* Close every fd from 3 up except [3, 3 + preserve) and exec.  With
   fds_sealed (a seccomp filter is in force, hr_seccomp_apply already did
   hr_fds_cloexec, util.h) only execve is called.  Returns only on failure. */
int hr_exec (const char *path, char *const *argv, char *const *env, int preserve_fds, bool fds_sealed, hr_err *err);

/* runc's setupUser: when env has no HOME (or an empty one), a copy of env
   with HOME set to the home of process.user's uid in the container's
   /etc/passwd (rootfd: the container's root; the file is hostile and read
   through the resolver), "/" when it has none.  NULL when env has a HOME.
   Run before the uid change: the file may be readable by root only. */
char **hr_env_with_home (char *const *env, int rootfd, const oci_user *user);
/* A copy of env with KEY=VALUE, in place of the first KEY= it has, else
   appended. */
char **hr_env_set (char *const *env, const char *key, const char *value);
void hr_env_free (char **env);

#endif
