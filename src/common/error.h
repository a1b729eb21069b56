/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One error type for the whole project (see docs/errors.md).
 *
 * A failing function builds an error object at the failure site with the
 * errno it saw and a message, then returns -1.  Callers at a module boundary
 * add context with hr_error_wrap() and return -1 again.  Library code never
 * prints an error it returns; only src/cli/ prints, once.
 */
#ifndef HYDRA_ERROR_H
#define HYDRA_ERROR_H

#include <stdarg.h>

typedef struct hr_error {
  int status;   /* errno at the failure site, 0 when not a system error */
  char *msg;    /* full message: "context: detail: strerror" */
} hr_error;

/* A function that can fail takes `hr_err *err` (NULL-initialised by the
   caller) and returns -1 with *err set, or >= 0 with *err untouched.
   Every constructor below accepts err == NULL (no error object wanted):
   it builds nothing and returns -1. */
typedef hr_error *hr_err;

/* Set *err (it must be NULL) to "<fmt>: strerror(errnum)" (or "<fmt>" when
   errnum is 0).  Always returns -1 so failure sites read
   `return hr_error_set (err, errno, "open `%s`", path);`. */
int hr_error_set (hr_err *err, int errnum, const char *fmt, ...)
  __attribute__ ((format (printf, 3, 4)));
int hr_error_setv (hr_err *err, int errnum, const char *fmt, va_list ap);
/* Like hr_error_set, but the message is complete as given: errnum is kept
   for callers that test it (ENOENT, ESRCH...) and not spelled out.  For
   errors the runtime decides itself ("container does not exist"). */
int hr_error_plain (hr_err *err, int errnum, const char *fmt, ...)
  __attribute__ ((format (printf, 3, 4)));

/* Prefix the message of *err with context: "<fmt>: <old message>".
   Returns -1. */
int hr_error_wrap (hr_err *err, const char *fmt, ...)
  __attribute__ ((format (printf, 2, 3)));

/* Take an already formatted message (for example one forwarded by the
   container's init over the sync socket). */
int hr_error_from_msg (hr_err *err, int errnum, const char *msg);

void hr_error_free (hr_err *err);

/* errno of *err, or 0. */
static inline int
hr_error_errno (hr_err err)
{
  return err ? err->status : 0;
}

#endif
