/* SPDX-License-Identifier: Apache-2.0 */
/* libsystemd's sd-bus, loaded on first use (sdbus.h says why). */
#include <config.h>
#define HR_SDBUS_LOADER
#include "cgroups/sdbus.h"

#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>

struct hr_sdbus_api hr_sdbus_api;

int
hr_sdbus_load (hr_err *err)
{
  static void *handle;
  struct hr_sdbus_api api;

  if (handle)
    return 0;
  /* RTLD_LOCAL: none of libsystemd's symbols (nor its dependencies')
     can interpose on the runtime's own. */
  void *h = dlopen (HR_LIBSYSTEMD_SONAME, RTLD_NOW | RTLD_LOCAL);
  if (h == NULL)
    return hr_error_plain (err, ENOENT, "--systemd-cgroup: cannot load %s (Debian package libsystemd0): %s",
                           HR_LIBSYSTEMD_SONAME, dlerror ());
#define HR_SDBUS_RESOLVE(name)                                                                                         \
  if ((api.name = (__typeof__ (api.name)) dlsym (h, #name)) == NULL)                                                   \
    {                                                                                                                  \
      dlclose (h);                                                                                                     \
      return hr_error_plain (err, ENOSYS, "--systemd-cgroup: %s has no %s", HR_LIBSYSTEMD_SONAME, #name);              \
    }
  HR_SDBUS_SYMBOLS (HR_SDBUS_RESOLVE)
#undef HR_SDBUS_RESOLVE
  hr_sdbus_api = api;
  handle = h;
  return 0;
}
