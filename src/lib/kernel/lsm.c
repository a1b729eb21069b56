/* SPDX-License-Identifier: Apache-2.0 */
#include <config.h>
#include "kernel/lsm.h"
#include "cleanup.h"
#include "kernel/mounts.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static const char *const lsm_names[] = { [HR_LSM_SELINUX] = "selinux", [HR_LSM_APPARMOR] = "apparmor" };

/* Is name one of the comma-separated words of list? */
static bool
in_list (const char *list, const char *name)
{
  size_t n = strlen (name);
  for (const char *p = list; p && *p;)
    {
      const char *end = strchr (p, ',');
      size_t len = end ? (size_t) (end - p) : strcspn (p, "\n");
      if (len == n && strncmp (p, name, n) == 0)
        return true;
      p = end ? end + 1 : NULL;
    }
  return false;
}

bool
hr_lsm_enabled (enum hr_lsm lsm)
{
  char buf[512];
  ssize_t n = -1;

  {
    _cleanup_close_ int fd = open ("/sys/kernel/security/lsm", O_RDONLY | O_CLOEXEC);
    if (fd >= 0)
      n = read (fd, buf, sizeof (buf) - 1);
  }
  if (n >= 0)
    {
      buf[n] = '\0';
      return in_list (buf, lsm_names[lsm]);
    }
  /* No securityfs mounted: ask the module itself. */
  if (lsm == HR_LSM_SELINUX)
    return access ("/sys/fs/selinux/enforce", F_OK) == 0;
  _cleanup_close_ int fd = open ("/sys/module/apparmor/parameters/enabled", O_RDONLY | O_CLOEXEC);
  char c = 'N';
  return fd >= 0 && read (fd, &c, 1) == 1 && c == 'Y';
}

static bool
set (const char *s)
{
  return s && *s;
}

int
hr_lsm_check (const struct hr_lsm_labels *l, hr_err *err)
{
  if (set (l->apparmor) && !hr_lsm_enabled (HR_LSM_APPARMOR))
    return hr_error_plain (err, ENOTSUP, "%s `%s`: AppArmor is not enabled on this host", l->apparmor_field,
                           l->apparmor);
  if (set (l->selinux) && !hr_lsm_enabled (HR_LSM_SELINUX))
    return hr_error_plain (err, ENOTSUP, "%s `%s`: SELinux is not enabled on this host", l->selinux_field,
                           l->selinux);
  if (set (l->mount) && !hr_lsm_enabled (HR_LSM_SELINUX))
    return hr_error_plain (err, ENOTSUP, "%s `%s`: SELinux is not enabled on this host", l->mount_field, l->mount);
  return 0;
}

int
hr_lsm_set_exec (int procfd, const char *apparmor, const char *selinux, hr_err *err)
{
  /* Checked again here: the host may have changed since the check, and a
     write to attr/exec of another module would mean something else. */
  struct hr_lsm_labels l = { .apparmor = apparmor, .apparmor_field = "apparmor profile",
                             .selinux = selinux, .selinux_field = "SELinux label" };
  if (hr_lsm_check (&l, err) < 0)
    return -1;
  if (set (selinux) && hr_proc_write (procfd, "thread-self/attr/exec", selinux, err) < 0)
    return hr_error_wrap (err, "set the SELinux label `%s`", selinux);
  if (set (apparmor))
    {
      /* The AppArmor-only file (kernel >= 5.8, stacking-safe), else the
         shared attr/exec when AppArmor is the major LSM (as runc). */
      _cleanup_free_ char *value = xasprintf ("exec %s", apparmor);
      hr_err e = NULL;
      if (hr_proc_write (procfd, "thread-self/attr/apparmor/exec", value, &e) < 0)
        {
          hr_error_free (&e);
          if (hr_proc_write (procfd, "thread-self/attr/exec", value, err) < 0)
            return hr_error_wrap (err, "set the AppArmor profile `%s`", apparmor);
        }
    }
  return 0;
}
