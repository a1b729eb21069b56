/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: a checkpoint's pagemap image
   (src/lib/checkpoint/images.c). */
#include <config.h>
#include "checkpoint/checkpoint.h"

#include "check.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  hr_err err = NULL;
  uint32_t id = 0;
  uint64_t present = 0;

  fuzz_check (hr_pagemap_parse (data, size, &id, &present, &err), &err);
  return 0;
}
