/* SPDX-License-Identifier: Apache-2.0
 *
 * memhog: hold MIB MiB of anonymous memory, every page written, then say
 * so and sleep until killed.  bench/checkpoint-bench runs it as the
 * process of a container so that a checkpoint has that much process
 * memory to dump (issue 13: "one holding 256 MiB of touched memory").
 *
 *   memhog MIB READY-FILE [HOT-MIB]
 *
 * READY-FILE is created (inside the container's rootfs) once every page
 * has been written, so the benchmark checkpoints only a process that
 * really holds the memory.
 *
 * HOT-MIB (bench/migrate-bench, issue 14): instead of sleeping, keep the
 * first HOT-MIB MiB dirty: write one word into each of their pages, one
 * pass every 10 ms, for ever.  That is a working set a live migration's
 * pre-copy cannot converge below (soft-dirty sees every page of it dirty
 * again at each round) while the rest stays clean after the first copy;
 * a word per page keeps the CPU cost of a pass small (~8k stores for
 * 32 MiB), so the process mostly sleeps as a real service would.  Why not busybox: `dd` into a file fills the
 * page cache or a tmpfs, which CRIU does not dump as process memory, and a
 * shell or awk building a string holds an unknown multiple of its length.
 * Built static so that it runs in the busybox-only rootfs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
        if (argc != 3 && argc != 4) {
                fprintf(stderr, "usage: memhog MIB READY-FILE [HOT-MIB]\n");
                return 2;
        }
        char *end;
        unsigned long mib = strtoul(argv[1], &end, 10);
        if (*end != '\0' || mib == 0 || mib > (1UL << 20)) {
                fprintf(stderr, "memhog: bad size %s\n", argv[1]);
                return 2;
        }
        unsigned long hot = 0;
        if (argc == 4) {
                hot = strtoul(argv[3], &end, 10);
                if (*end != '\0' || hot > mib) {
                        fprintf(stderr, "memhog: bad hot size %s (0..%lu)\n", argv[3], mib);
                        return 2;
                }
        }
        size_t len = mib << 20;
        char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
                fprintf(stderr, "memhog: mmap %lu MiB: %s\n", mib, strerror(errno));
                return 1;
        }
        /* Writing (not reading) faults in a private page for each one; a
         * non-zero pattern keeps any zero-page or same-page merging from
         * making the dump smaller than the memory the process holds. */
        memset(p, 0xa5, len);

        int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) {
                fprintf(stderr, "memhog: %s: %s\n", argv[2], strerror(errno));
                return 1;
        }
        close(fd);
        if (hot == 0)
                for (;;)
                        pause();
        long page = sysconf(_SC_PAGESIZE);
        size_t hot_len = hot << 20;
        const struct timespec tick = { .tv_sec = 0, .tv_nsec = 10 * 1000 * 1000 };
        for (unsigned long pass = 1;; pass++) {
                for (size_t off = 0; off < hot_len; off += (size_t)page)
                        *(volatile unsigned long *)(p + off) = pass;
                nanosleep(&tick, NULL);
        }
}
