/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The cleanup vocabulary, defined once (after systemd's).
 *
 *   _cleanup_free_ char *p = NULL;        free()d at scope exit
 *   _cleanup_close_ int fd = -1;          close()d once at scope exit
 *   return TAKE_FD (fd);                  hand the fd to the caller
 *   *out = TAKE_PTR (p);                  hand the pointer to the caller
 *
 * Every handle type gets its own _cleanup_ helper next to the code that owns
 * the type (DEFINE_CLEANUP_FUNC below).  close() is never retried on EINTR:
 * on Linux the fd is released even when close() reports EINTR, and retrying
 * could close an fd another thread has just been given.
 */
#ifndef HYDRA_CLEANUP_H
#define HYDRA_CLEANUP_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <dirent.h>

#define _cleanup_(f) __attribute__ ((cleanup (f)))

static inline void
freep (void *p)
{
  free (*(void **) p);
}

static inline void
closep (int *fd)
{
  if (*fd >= 0)
    (void) close (*fd);
  *fd = -1;
}

static inline void
fclosep (FILE **f)
{
  if (*f)
    (void) fclose (*f);
  *f = NULL;
}

static inline void
closedirp (DIR **d)
{
  if (*d)
    (void) closedir (*d);
  *d = NULL;
}

/* Free a NULL-terminated array of strings. */
static inline void
strv_free (char **v)
{
  if (v == NULL)
    return;
  for (char **i = v; *i; i++)
    free (*i);
  free (v);
}

static inline void
strv_freep (char ***v)
{
  strv_free (*v);
  *v = NULL;
}

#define _cleanup_free_ _cleanup_ (freep)
#define _cleanup_close_ _cleanup_ (closep)
#define _cleanup_fclose_ _cleanup_ (fclosep)
#define _cleanup_closedir_ _cleanup_ (closedirp)
#define _cleanup_strv_ _cleanup_ (strv_freep)

/* DEFINE_CLEANUP_FUNC (oci_config, oci_config_free) defines
   oci_config_freep (oci_config **) usable as _cleanup_ (oci_config_freep). */
#define DEFINE_CLEANUP_FUNC(type, func)         \
  static inline void func##p (type **p)         \
  {                                             \
    if (*p)                                     \
      func (*p);                                \
    *p = NULL;                                  \
  }

#define TAKE_PTR(p)                             \
  ({                                            \
    __typeof__ (p) _taken = (p);                \
    (p) = NULL;                                 \
    _taken;                                     \
  })

#define TAKE_FD(fd)                             \
  ({                                            \
    int _taken_fd = (fd);                       \
    (fd) = -1;                                  \
    _taken_fd;                                  \
  })

#endif
