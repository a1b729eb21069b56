/* SPDX-License-Identifier: Apache-2.0 */
/* What every fuzz target checks of a function that returns an hr_err. */
#ifndef HYDRA_FUZZ_CHECK_H
#define HYDRA_FUZZ_CHECK_H

#include <stdlib.h>
#include "error.h"

/* Every failure carries a message; success leaves none behind. */
static inline void
fuzz_check (int r, hr_err *err)
{
  if ((r < 0) != (*err != NULL) || (*err && (*err)->msg == NULL))
    abort ();
  hr_error_free (err);
}

#endif
