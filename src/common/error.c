/* SPDX-License-Identifier: Apache-2.0 */
#include <config.h>
#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Out of memory while reporting an error: keep a static object so the
   caller still gets *something* non-NULL to test and print. */
static char oom_msg[] = "out of memory";
static hr_error oom_error = { ENOMEM, oom_msg };

static int
set_oom (hr_err *err)
{
  *err = &oom_error;
  return -1;
}

int
hr_error_setv (hr_err *err, int errnum, const char *fmt, va_list ap)
{
  char *base = NULL, *full = NULL;
  hr_error *e;

  if (err == NULL)
    return -1;
  if (*err != NULL)
    hr_error_free (err);
  if (vasprintf (&base, fmt, ap) < 0)
    return set_oom (err);
  if (errnum != 0)
    {
      if (asprintf (&full, "%s: %s", base, strerror (errnum)) < 0)
        {
          free (base);
          return set_oom (err);
        }
      free (base);
    }
  else
    full = base;

  e = calloc (1, sizeof (*e));
  if (e == NULL)
    {
      free (full);
      return set_oom (err);
    }
  e->status = errnum;
  e->msg = full;
  *err = e;
  return -1;
}

int
hr_error_set (hr_err *err, int errnum, const char *fmt, ...)
{
  va_list ap;
  int ret;

  va_start (ap, fmt);
  ret = hr_error_setv (err, errnum, fmt, ap);
  va_end (ap);
  return ret;
}

int
hr_error_plain (hr_err *err, int errnum, const char *fmt, ...)
{
  va_list ap;

  /* A caller that passes no error object asks for none: like
     hr_error_setv, never dereference it. */
  if (err == NULL)
    return -1;
  va_start (ap, fmt);
  hr_error_setv (err, 0, fmt, ap);
  va_end (ap);
  if (*err != &oom_error)
    (*err)->status = errnum;
  return -1;
}

int
hr_error_from_msg (hr_err *err, int errnum, const char *msg)
{
  if (err == NULL)
    return -1;
  hr_error_set (err, 0, "%s", msg ? msg : "(no message)");
  if (*err != &oom_error)
    (*err)->status = errnum;
  return -1;
}

int
hr_error_wrap (hr_err *err, const char *fmt, ...)
{
  char *ctx = NULL, *full = NULL;
  va_list ap;

  if (err == NULL || *err == NULL || *err == &oom_error)
    return -1;
  va_start (ap, fmt);
  if (vasprintf (&ctx, fmt, ap) < 0)
    {
      va_end (ap);
      return -1;
    }
  va_end (ap);
  if (asprintf (&full, "%s: %s", ctx, (*err)->msg) >= 0)
    {
      free ((*err)->msg);
      (*err)->msg = full;
    }
  free (ctx);
  return -1;
}

void
hr_error_free (hr_err *err)
{
  if (err == NULL || *err == NULL)
    return;
  if (*err != &oom_error)
    {
      free ((*err)->msg);
      free (*err);
    }
  *err = NULL;
}
