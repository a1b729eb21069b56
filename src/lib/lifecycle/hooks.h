/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OCI hooks (runtime-spec config.md "POSIX-platform Hooks", runtime.md
 * "Lifecycle"): each hook is run with the container's state on stdin, its
 * own args and env, and an optional timeout.  Where each stage runs:
 *   prestart, createRuntime  runtime namespace, by hydra-runc, when the
 *                            init asks (after its mounts, before pivot_root)
 *   createContainer          container namespaces, by the init, before pivot_root
 *   startContainer           container namespaces, by the init, after `start`
 *   poststart                runtime namespace, by `start`
 *   poststop                 runtime namespace, by `delete`
 */
#ifndef HYDRA_HOOKS_H
#define HYDRA_HOOKS_H

#include <stddef.h>
#include <sys/types.h>
#include "error.h"
#include "oci.h"

/* Run hooks[0..n) in order; the first failure (non-zero exit, signal,
   timeout, exec failure) stops the list and is returned, with what the
   hook printed. */
int hr_hooks_run (oci_hook *const *hooks, size_t n, const char *stage, const char *state_json, hr_err *err);

/* The state document hooks receive (runtime-spec runtime.md "State"). */
char *hr_hooks_state_json (const char *id, const char *status, pid_t pid, const char *bundle,
                           const oci_string_map *annotations);

#endif
