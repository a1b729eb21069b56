/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What crosses the migration channel besides control messages
 * (transfer.c): a round's image directory, file by file, and a rootfs as
 * a tar stream; and the private work directory each side keeps them in.
 */
#ifndef HYDRA_MIGRATE_TRANSFER_H
#define HYDRA_MIGRATE_TRANSFER_H

#include <stdint.h>
#include <sys/types.h>
#include "error.h"
#include "migrate/proto.h"

struct hr_mig_chan;

/* <root>/.migrate-<id>-XXXXXX, 0700: images of one migration, on the
   state root's file system (tmpfs under /run), never inside a container's
   state directory (a source's is deleted when the migration succeeds). */
int hr_mig_workdir_create (const char *root, const char *id, char **path, int *fd, hr_err *err);
/* Remove it with what it holds (two levels: rounds, their files). */
void hr_mig_workdir_remove (const char *path);

/* Remove PATH and everything below it, not following symlinks nor
   crossing into other mounts (a rootfs unpacked for a failed migration). */
int hr_mig_remove_tree (const char *path, hr_err *err);

/* Send DIR {name, parent} and each regular file of WORKFD/NAME but the
   logs; *bytes += what the files held. */
int hr_mig_send_dir (struct hr_mig_chan *chan, int workfd, const char *name, const char *parent, uint64_t *bytes,
                     hr_err *err);
/* Receive DIR: make WORKFD/NAME with a "parent" link to ../PARENT (CRIU's
   link to the previous pre-dump, made here rather than trusted from the
   peer); *dirfd gets it. */
int hr_mig_recv_dir (int workfd, const struct hr_mig_msg *msg, int *dirfd, hr_err *err);
/* Receive FILE's content into DIRFD/NAME (created, never replaced). */
int hr_mig_recv_file (struct hr_mig_chan *chan, int dirfd, const struct hr_mig_msg *msg, uint8_t *buf,
                      const char *peer, hr_err *err);

/* ROOTFS: `tar` of the source's rootfs, unpacked by `tar` on the target
   into ROOTFS (made by the caller, empty). */
int hr_mig_send_rootfs (struct hr_mig_chan *chan, const char *rootfs, hr_err *err);
int hr_mig_recv_rootfs (struct hr_mig_chan *chan, const char *rootfs, uint8_t *buf, const char *peer, hr_err *err);

/* Post-copy: a process that carries CRIU's page traffic between SOCK
   (a socketpair end; OTHER, CRIU's end, is closed in it) and the page
   channel DATA until both sides are done; the bytes it sent come back on
   *count_fd (read it after it exits). */
pid_t hr_mig_spawn_relay (struct hr_mig_chan *data, int sock, int other, int *count_fd, hr_err *err);

#endif
