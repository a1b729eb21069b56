/* SPDX-License-Identifier: Apache-2.0 */
/* The systemd cgroup driver's naming (cgroup_systemd.c): cgroupsPath
   "slice:prefix:name" -> parent slice and unit, as runc docs/systemd.md. */
#include <config.h>
#include "tap.h"
#include "cgroups/cgroup_systemd.h"

static void
names (const char *path, const char *want_slice, const char *want_unit)
{
  char *slice = NULL, *unit = NULL;
  hr_err err = NULL;
  int r = hr_systemd_unit_names (path, "c1", &slice, &unit, &err);
  ok (r == 0, "\"%s\" is accepted%s%s", path ? path : "(null)", err ? ": " : "", err ? err->msg : "");
  is_str (slice, want_slice, "\"%s\": slice", path ? path : "(null)");
  is_str (unit, want_unit, "\"%s\": unit", path ? path : "(null)");
  free (slice);
  free (unit);
  hr_error_free (&err);
}

static void
refused (const char *path, const char *want_in_msg)
{
  char *slice = NULL, *unit = NULL;
  hr_err err = NULL;
  int r = hr_systemd_unit_names (path, "c1", &slice, &unit, &err);
  ok (r < 0 && err && strstr (err->msg, want_in_msg), "\"%s\" is refused (%s)", path, err ? err->msg : "accepted");
  free (slice);
  free (unit);
  hr_error_free (&err);
}

int
main (void)
{
  names (NULL, "system.slice", "hydra-runc-c1.scope");
  names ("", "system.slice", "hydra-runc-c1.scope");
  names ("system.slice:docker:abc", "system.slice", "docker-abc.scope");
  names (":crio:abc", "system.slice", "crio-abc.scope");
  names ("machine.slice:libpod:abc", "machine.slice", "libpod-abc.scope");
  names ("kubepods-burstable.slice:cri-containerd:abc", "kubepods-burstable.slice", "cri-containerd-abc.scope");
  names ("-:top:abc", "-.slice", "top-abc.scope");
  names ("kubepods.slice:ignored:kubepods-pod1.slice", "kubepods.slice", "kubepods-pod1.slice");
  names ("system.slice::abc", "system.slice", "abc.scope");
  refused ("/sys/fs/cgroup/x", "slice:prefix:name");
  refused ("a:b", "slice:prefix:name");
  refused ("a:b:c:d", "slice:prefix:name");
  refused ("user.slice/user-1000.slice:p:n", "invalid slice name");
  refused ("user:p:n", "invalid slice name");
  refused ("system.slice:p:", "invalid unit name");
  return tap_done ();
}
