/* SPDX-License-Identifier: Apache-2.0 */
/* src/common/error.c: every constructor accepts a NULL `err` (a caller that
   wants no error object) and returns -1 without touching memory; with an
   object, the message and errno are what the header promises. */
#include <config.h>
#include "tap.h"
#include "error.h"

#include <errno.h>
#include <string.h>

int
main (void)
{
  hr_err err = NULL;

  /* NULL err: each returns -1 and does not crash. */
  is_int (hr_error_set (NULL, EIO, "set %d", 1), -1, "hr_error_set (NULL) returns -1");
  is_int (hr_error_plain (NULL, ENOENT, "plain %d", 2), -1, "hr_error_plain (NULL) returns -1");
  is_int (hr_error_from_msg (NULL, ESRCH, "msg"), -1, "hr_error_from_msg (NULL) returns -1");
  is_int (hr_error_wrap (NULL, "ctx %d", 3), -1, "hr_error_wrap (NULL) returns -1");
  hr_error_free (NULL);
  ok (1, "hr_error_free (NULL) returns");

  /* With an object. */
  hr_error_set (&err, ENOENT, "open `%s`", "x");
  is_str (err ? err->msg : NULL, "open `x`: No such file or directory", "set spells out errno");
  is_int (hr_error_errno (err), ENOENT, "set keeps errno");
  hr_error_wrap (&err, "create");
  is_str (err ? err->msg : NULL, "create: open `x`: No such file or directory", "wrap prefixes context");
  hr_error_free (&err);
  ok (err == NULL, "free resets the pointer");

  hr_error_plain (&err, ESRCH, "container `%s` does not exist", "c");
  is_str (err ? err->msg : NULL, "container `c` does not exist", "plain keeps the message as given");
  is_int (hr_error_errno (err), ESRCH, "plain keeps errno");
  hr_error_free (&err);

  hr_error_from_msg (&err, EPERM, "from the init");
  is_str (err ? err->msg : NULL, "from the init", "from_msg takes the message");
  is_int (hr_error_errno (err), EPERM, "from_msg keeps errno");
  hr_error_free (&err);

  hr_error_from_msg (&err, EPERM, NULL);
  ok (err != NULL && err->msg != NULL, "from_msg with a NULL message still builds an error");
  hr_error_free (&err);

  /* A wrap of nothing stays nothing. */
  is_int (hr_error_wrap (&err, "ctx"), -1, "wrap of an unset error returns -1");
  ok (err == NULL, "wrap of an unset error builds none");

  return tap_done ();
}
