/* SPDX-License-Identifier: Apache-2.0 */
/* checkpoint: dump a running or paused container with CRIU. */
#include <config.h>
#include "hydra.h"
#include <errno.h>

int
hr_container_checkpoint (struct hr_context *ctx, const char *id, const struct hr_checkpoint_opts *opts, hr_err *err)
{
  (void) ctx;
  (void) id;
  (void) opts;
  return hr_error_plain (err, ENOSYS, "checkpoint: not implemented yet");
}
