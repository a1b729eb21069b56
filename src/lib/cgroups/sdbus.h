/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sd-bus for the systemd cgroup driver, loaded with dlopen(3) the first
 * time the driver talks to systemd.
 *
 * Why: linking libsystemd made every run of the runtime map and relocate
 * it and its dependencies (libgcrypt, liblzma, libzstd, liblz4, ...), about
 * a quarter of the dynamic loader's work and over 1 MiB of resident pages,
 * although only `--systemd-cgroup` uses it.  The headers still come from
 * libsystemd-dev, so every call keeps sd-bus's exact prototype.
 *
 * Include this instead of <systemd/sd-bus.h> in the driver (one file):
 * after hr_sdbus_load() succeeds, its calls keep their sd-bus names and go
 * through the table (the macros below).  The unref and error-free helpers
 * are safe to reach before a load, as cleanup paths do.
 */
#ifndef HYDRA_SDBUS_H
#define HYDRA_SDBUS_H

#include <systemd/sd-bus.h>
#include "error.h"

/* The soname libsystemd-dev links against (libsystemd.so -> .so.0). */
#define HR_LIBSYSTEMD_SONAME "libsystemd.so.0"

#define HR_SDBUS_SYMBOLS(X)                                                                                           \
  X (sd_bus_new)                                                                                                       \
  X (sd_bus_set_address)                                                                                               \
  X (sd_bus_start)                                                                                                     \
  X (sd_bus_open_system)                                                                                               \
  X (sd_bus_open_user)                                                                                                 \
  X (sd_bus_unref)                                                                                                     \
  X (sd_bus_flush_close_unref)                                                                                         \
  X (sd_bus_process)                                                                                                   \
  X (sd_bus_wait)                                                                                                      \
  X (sd_bus_call)                                                                                                      \
  X (sd_bus_call_method)                                                                                               \
  X (sd_bus_get_property_string)                                                                                       \
  X (sd_bus_match_signal)                                                                                              \
  X (sd_bus_slot_unref)                                                                                                \
  X (sd_bus_error_free)                                                                                                \
  X (sd_bus_error_has_name)                                                                                            \
  X (sd_bus_message_new_method_call)                                                                                   \
  X (sd_bus_message_unref)                                                                                             \
  X (sd_bus_message_append)                                                                                            \
  X (sd_bus_message_append_array)                                                                                      \
  X (sd_bus_message_open_container)                                                                                    \
  X (sd_bus_message_close_container)                                                                                   \
  X (sd_bus_message_read)

struct hr_sdbus_api
{
#define HR_SDBUS_FIELD(name) __typeof__ (name) *name;
  HR_SDBUS_SYMBOLS (HR_SDBUS_FIELD)
#undef HR_SDBUS_FIELD
};

/* All NULL until hr_sdbus_load() succeeds. */
extern struct hr_sdbus_api hr_sdbus_api;

/* Load libsystemd once; later calls return at once. */
int hr_sdbus_load (hr_err *err);

/* Cleanup helpers for _cleanup_(), usable whether or not the library was
   loaded (a handle can only exist once it was). */
static inline void
hr_sdbus_flush_close_unrefp (sd_bus **b)
{
  if (*b)
    hr_sdbus_api.sd_bus_flush_close_unref (*b);
}

static inline void
hr_sdbus_slot_unrefp (sd_bus_slot **s)
{
  if (*s)
    hr_sdbus_api.sd_bus_slot_unref (*s);
}

static inline void
hr_sdbus_message_unrefp (sd_bus_message **m)
{
  if (*m)
    hr_sdbus_api.sd_bus_message_unref (*m);
}

static inline void
hr_sdbus_error_free (sd_bus_error *e)
{
  if (hr_sdbus_api.sd_bus_error_free)
    hr_sdbus_api.sd_bus_error_free (e);
}

/* From here on the sd-bus names mean the loaded functions (not in sdbus.c,
   which needs the real names to look them up). */
#ifndef HR_SDBUS_LOADER
#define sd_bus_new hr_sdbus_api.sd_bus_new
#define sd_bus_set_address hr_sdbus_api.sd_bus_set_address
#define sd_bus_start hr_sdbus_api.sd_bus_start
#define sd_bus_open_system hr_sdbus_api.sd_bus_open_system
#define sd_bus_open_user hr_sdbus_api.sd_bus_open_user
#define sd_bus_unref hr_sdbus_api.sd_bus_unref
#define sd_bus_process hr_sdbus_api.sd_bus_process
#define sd_bus_wait hr_sdbus_api.sd_bus_wait
#define sd_bus_call hr_sdbus_api.sd_bus_call
#define sd_bus_call_method hr_sdbus_api.sd_bus_call_method
#define sd_bus_get_property_string hr_sdbus_api.sd_bus_get_property_string
#define sd_bus_match_signal hr_sdbus_api.sd_bus_match_signal
#define sd_bus_error_has_name hr_sdbus_api.sd_bus_error_has_name
#define sd_bus_message_new_method_call hr_sdbus_api.sd_bus_message_new_method_call
#define sd_bus_message_append hr_sdbus_api.sd_bus_message_append
#define sd_bus_message_append_array hr_sdbus_api.sd_bus_message_append_array
#define sd_bus_message_open_container hr_sdbus_api.sd_bus_message_open_container
#define sd_bus_message_close_container hr_sdbus_api.sd_bus_message_close_container
#define sd_bus_message_read hr_sdbus_api.sd_bus_message_read
#define sd_bus_error_free hr_sdbus_error_free
#define sd_bus_flush_close_unrefp hr_sdbus_flush_close_unrefp
#define sd_bus_slot_unrefp hr_sdbus_slot_unrefp
#define sd_bus_message_unrefp hr_sdbus_message_unrefp
#endif

#endif
