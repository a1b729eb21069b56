/* SPDX-License-Identifier: Apache-2.0 */
/* restore: a container from a CRIU checkpoint. */
#include <config.h>
#include "hydra.h"
#include <errno.h>

int
hr_container_restore (struct hr_context *ctx, const char *id, const struct hr_restore_opts *opts, int *exit_code,
                      hr_err *err)
{
  (void) ctx;
  (void) id;
  (void) opts;
  (void) exit_code;
  return hr_error_plain (err, ENOSYS, "restore: not implemented yet");
}
