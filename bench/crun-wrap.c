/* SPDX-License-Identifier: Apache-2.0
 *
 * crun-wrap: run a command in a private mount namespace where the given
 * mount points are unmounted.
 *
 *   crun-wrap [-u MOUNTPOINT]... -- CMD ARG...
 *
 * Why: crun 1.8 refuses a hybrid cgroup layout (v1 controllers plus a
 * cgroup2 mount at /sys/fs/cgroup/unified), which is what this project's
 * CI machine has.  Hiding /sys/fs/cgroup/unified from crun, and only from
 * crun, makes it see a plain v1 layout.  The host's mounts are untouched:
 * the namespace is new and its mounts are made private before anything is
 * unmounted, so nothing propagates back.  A C program rather than
 * `unshare -m sh -c 'umount ...; exec crun'` keeps the wrapper's own cost
 * (measured by bench/run-bench with CMD=/bin/true and subtracted from
 * crun's times) to one unshare, one mount and one umount.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

int main(int argc, char **argv)
{
        const char *umounts[16];
        int nu = 0, opt;
        while ((opt = getopt(argc, argv, "+u:")) != -1) {
                if (opt != 'u' || nu == 16)
                        goto usage;
                umounts[nu++] = optarg;
        }
        if (optind >= argc)
                goto usage;

        if (unshare(CLONE_NEWNS) < 0) {
                fprintf(stderr, "crun-wrap: unshare(CLONE_NEWNS): %s\n", strerror(errno));
                return 125;
        }
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
                fprintf(stderr, "crun-wrap: make / private: %s\n", strerror(errno));
                return 125;
        }
        for (int i = 0; i < nu; i++) {
                /* Absent is fine: then there is nothing to hide. */
                if (umount2(umounts[i], MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT) {
                        fprintf(stderr, "crun-wrap: umount %s: %s\n", umounts[i], strerror(errno));
                        return 125;
                }
        }
        execvp(argv[optind], argv + optind);
        fprintf(stderr, "crun-wrap: %s: %s\n", argv[optind], strerror(errno));
        return 127;

usage:
        fprintf(stderr, "usage: crun-wrap [-u MOUNTPOINT]... -- CMD ARG...\n");
        return 125;
}
