/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What runc's conventions make of a container for CRIU, shared by
 * checkpoint and restore (external.c): the external mounts and namespaces,
 * descriptors.json, the CRIU configuration file, the directories.
 */
#ifndef HYDRA_CHECKPOINT_H
#define HYDRA_CHECKPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "checkpoint/criu.h"
#include "error.h"
#include "oci.h"

struct hr_plan;
struct hr_cgroup;

/* The init's stdio at create time, in the image (runc's file name). */
#define HR_DESCRIPTORS_FILE "descriptors.json"
/* A file every CRIU image directory has: restore refuses a directory
   without it before anything exists. */
#define HR_CRIU_INVENTORY "inventory.img"

/* --empty-ns: only "network" (runc's only value); CLONE_NEWNET is always
   in the result, as runc always sends it (it does not manage network
   devices: the network namespace's devices are the engine's). */
int hr_checkpoint_empty_ns (char *const *names, unsigned *flags, hr_err *err);

/* The CRIU configuration file for a container (runc's rules, with our
   own name first): the annotation org.criu.config (empty: none), else
   /etc/criu/hydra-runc.conf when it exists, else /etc/criu/runc.conf. */
const char *hr_criu_config_file (const oci_string_map *annotations);

/* What checkpoint and restore refuse in a config, before anything is
   done: a user namespace.  CRIU dumps such a container, but its restored
   tasks read the images before their id maps exist, so only images every
   host user can read would restore: a checkpoint that cannot come back
   must not destroy the container. */
int hr_checkpoint_check_config (const oci_config *cfg, hr_err *err);

/* Make PATH when asked and missing (0700, runc's MkdirAll), open it. */
int hr_checkpoint_open_dir (const char *path, bool create, const char *flag, hr_err *err);

/* The mounts CRIU must treat as external, from the container's plan:
   bind mounts (key: the destination as resolved in the rootfs; on
   restore the value is the host source), the per-hierarchy cgroup binds
   of a container without a cgroup namespace (value on restore: the new
   cgroup's directory), device nodes (bound from the host in a user
   namespace), and on dump every masked file, found in the live
   container of INIT, under runc's key "/dev/null" (a bind of the
   container's /dev/null, which in a user namespace is the host's).
   restore false: dump. */
int hr_checkpoint_external_mounts (struct hr_criu_req *req, const struct hr_plan *plan, const struct hr_cgroup *cg,
                                   pid_t init, bool restore, hr_err *err);
/* Dump: network and pid namespaces the container joined by path are not
   the container's to dump: "net[INODE]:extRootNetNS", "pid[...]:extRootPidNS". */
int hr_checkpoint_external_ns (struct hr_criu_req *req, const oci_config *cfg, hr_err *err);

/* descriptors.json: exactly three strings. */
char *hr_descriptors_encode (char *const *fds, size_t n);
/* Parse an untrusted descriptors.json (fuzzed: tests/fuzz). */
int hr_descriptors_decode (const char *data, size_t len, char ***fds, size_t *n, hr_err *err);

/* The memory images hold what their pagemaps say (images.c): a pages
   image shorter than that makes CRIU's restorer spin forever.  Refused
   with a clear error before anything exists.  Not for --lazy-pages,
   whose pages are remote. */
int hr_images_check (int images_fd, hr_err *err);
/* One pagemap image: its pages id and how many pages it says are in
   pages-<id>.img (fuzzed). */
int hr_pagemap_parse (const uint8_t *data, size_t len, uint32_t *pages_id, uint64_t *present, hr_err *err);

/* CRIU's statistics of a dump or pre-dump (stats-dump in the work
   directory: images/stats.proto's dump_stats_entry; times in
   microseconds).  Read by migrate for what it reports (fuzzed with the
   pagemap decoder). */
struct hr_criu_dump_stats
{
  bool present;
  uint64_t freezing_time, frozen_time, memdump_time, memwrite_time;
  uint64_t pages_scanned, pages_skipped_parent, pages_written, pages_lazy;
};
int hr_criu_dump_stats_parse (const uint8_t *data, size_t len, struct hr_criu_dump_stats *st, hr_err *err);
int hr_criu_dump_stats_read (int dirfd, struct hr_criu_dump_stats *st, hr_err *err);

/* Notifications of a dump: status-ready with --lazy-pages writes one
   NUL byte to --status-fd and closes it (runc, CRIU >= 3.15). */
struct hr_checkpoint_notify
{
  int status_fd;
};
int hr_checkpoint_dump_notify (const char *script, pid_t pid, int fd, void *data, hr_err *err);

#endif
