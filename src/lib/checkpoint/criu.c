/* SPDX-License-Identifier: Apache-2.0 */
/* The conversation with CRIU (criu swrk over a SEQPACKET socketpair). */
#include <config.h>
#include "checkpoint/criu.h"
