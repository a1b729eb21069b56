/* SPDX-License-Identifier: Apache-2.0 */
/* The device cgroup: see devices_cgroup.h. */
#include <config.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cleanup.h"
#include "cgroups/devices_cgroup.h"
#include "cgroups/ebpf.h"
#include "log.h"
#include "util.h"

/* runc's default rules, appended after the config's rules: runc
   libcontainer/specconv/spec_linux.go `AllowedDevices` (runc 1.1/1.2):
   mknod of any char/block device, /dev/null, random, full, tty, zero,
   urandom, /dev/pts/[all] (136:*), /dev/ptmx (5:2) and /dev/net/tun
   (10:200, dropped in 1.2.0-rc1 and restored for compatibility).  Order
   kept as in runc. */
static const struct hr_dev_rule default_rules[] = {
  { 'c', HR_DEV_WILDCARD, HR_DEV_WILDCARD, HR_DEV_ACC_MKNOD, true },
  { 'b', HR_DEV_WILDCARD, HR_DEV_WILDCARD, HR_DEV_ACC_MKNOD, true },
  { 'c', 1, 3, HR_DEV_ACC_ALL, true },             /* /dev/null */
  { 'c', 1, 8, HR_DEV_ACC_ALL, true },             /* /dev/random */
  { 'c', 1, 7, HR_DEV_ACC_ALL, true },             /* /dev/full */
  { 'c', 5, 0, HR_DEV_ACC_ALL, true },             /* /dev/tty */
  { 'c', 1, 5, HR_DEV_ACC_ALL, true },             /* /dev/zero */
  { 'c', 1, 9, HR_DEV_ACC_ALL, true },             /* /dev/urandom */
  { 'c', 136, HR_DEV_WILDCARD, HR_DEV_ACC_ALL, true }, /* /dev/pts/ (and the console) */
  { 'c', 5, 2, HR_DEV_ACC_ALL, true },             /* /dev/ptmx */
  { 'c', 10, 200, HR_DEV_ACC_ALL, true },          /* /dev/net/tun */
};

const struct hr_dev_rule *
hr_dev_default_rules (size_t *n)
{
  *n = sizeof default_rules / sizeof default_rules[0];
  return default_rules;
}

void
hr_dev_state_free (struct hr_dev_state *s)
{
  if (s == NULL)
    return;
  free (s->rules);
  s->rules = NULL;
  s->len = 0;
}

int
hr_dev_access_parse (const char *s, unsigned *out)
{
  unsigned a = 0;

  for (; *s; s++)
    switch (*s)
      {
      case 'r': a |= HR_DEV_ACC_READ; break;
      case 'w': a |= HR_DEV_ACC_WRITE; break;
      case 'm': a |= HR_DEV_ACC_MKNOD; break;
      default: return -1;
      }
  *out = a;
  return 0;
}

void
hr_dev_access_format (unsigned access, char out[4])
{
  char *p = out;

  if (access & HR_DEV_ACC_READ)
    *p++ = 'r';
  if (access & HR_DEV_ACC_WRITE)
    *p++ = 'w';
  if (access & HR_DEV_ACC_MKNOD)
    *p++ = 'm';
  *p = '\0';
}

int
hr_dev_rule_from_oci (const oci_linux_device_cgroup *r, struct hr_dev_rule *out, const char *path,
                      hr_err *err)
{
  struct hr_dev_rule d = { .type = 'a', .major = HR_DEV_WILDCARD, .minor = HR_DEV_WILDCARD,
                           .access = HR_DEV_ACC_ALL, .allow = r->allow };

  /* runtime-spec: type defaults to "a", major/minor to all, access to rwm. */
  if (r->type_present)
    {
      /* The rule's letter is the enumeration's JSON value: a, b or c. */
      if (r->type < 0 || r->type >= OCI_DEVICE_CGROUP_TYPE__COUNT)
        return hr_error_plain (err, EINVAL, "%s.type: invalid device type", path);
      d.type = oci_enum_values (OCI_ENUM_DEVICE_CGROUP_TYPE)[r->type][0];
    }
  if (r->major_present && r->major >= 0)
    d.major = r->major;
  if (r->minor_present && r->minor >= 0)
    d.minor = r->minor;
  if ((d.major != HR_DEV_WILDCARD && d.major > UINT32_MAX) || (d.minor != HR_DEV_WILDCARD && d.minor > UINT32_MAX))
    return hr_error_plain (err, EINVAL, "%s: device number out of range", path);
  if (r->access != NULL && r->access[0] != '\0')
    {
      /* runc 1.1 keeps the r, w and m of an access string and ignores
         any other letter (devices.Permissions; its update.bats denies
         "rwa").  One with none of them is refused: runc fails such an
         allow rule later, and ignores such a deny rule (docs/compat.md). */
      d.access = 0;
      for (const char *c = r->access; *c; c++)
        d.access |= *c == 'r' ? HR_DEV_ACC_READ : *c == 'w' ? HR_DEV_ACC_WRITE : *c == 'm' ? HR_DEV_ACC_MKNOD : 0;
      if (d.access == 0)
        return hr_error_plain (err, EINVAL, "%s.access: invalid device access \"%s\" (none of r, w, m)", path,
                               r->access);
    }
  if (d.type == 'a')
    {
      /* The kernel treats "a" as "a *:* rwm" whatever follows it. */
      d.major = d.minor = HR_DEV_WILDCARD;
      d.access = HR_DEV_ACC_ALL;
    }
  *out = d;
  return 0;
}

static struct hr_dev_rule *
find_exact (struct hr_dev_state *s, char type, int64_t major, int64_t minor)
{
  for (size_t i = 0; i < s->len; i++)
    if (s->rules[i].type == type && s->rules[i].major == major && s->rules[i].minor == minor)
      return &s->rules[i];
  return NULL;
}

static void
fmt_rule (const struct hr_dev_rule *r, char *buf, size_t size)
{
  char acc[4], maj[24], min[24];

  hr_dev_access_format (r->access, acc);
  if (r->major == HR_DEV_WILDCARD)
    strcpy (maj, "*");
  else
    snprintf (maj, sizeof maj, "%" PRId64, r->major);
  if (r->minor == HR_DEV_WILDCARD)
    strcpy (min, "*");
  else
    snprintf (min, sizeof min, "%" PRId64, r->minor);
  snprintf (buf, size, "%c %s:%s %s", r->type, maj, min, acc);
}

/* runc emulator.go: Apply -> addRule / rmRule / reset. */
int
hr_dev_state_apply (struct hr_dev_state *s, const struct hr_dev_rule *r, hr_err *err)
{
  if (r->type == 'a')
    {
      free (s->rules);
      s->rules = NULL;
      s->len = 0;
      s->default_allow = r->allow;
      return 0;
    }
  if (r->access == 0)
    return 0;

  if (r->allow != s->default_allow)
    {
      /* An exception: add it, merging access with an identical one. */
      struct hr_dev_rule *e = find_exact (s, r->type, r->major, r->minor);
      if (e)
        {
          e->access |= r->access;
          return 0;
        }
      s->rules = xrealloc (s->rules, (s->len + 1) * sizeof *s->rules);
      s->rules[s->len] = *r;
      s->rules[s->len].allow = !s->default_allow;
      s->len++;
      return 0;
    }

  /* Same verdict as the default: remove the access from the exception with
     exactly this type/major/minor.  The v1 kernel silently ignores a removal
     that only partially matches a wildcard exception; refuse it as runc does
     rather than leave the access granted. */
  const int64_t partial[3][2] = {
    { HR_DEV_WILDCARD, r->minor }, { r->major, HR_DEV_WILDCARD }, { HR_DEV_WILDCARD, HR_DEV_WILDCARD }
  };
  for (size_t i = 0; i < 3; i++)
    {
      if (partial[i][0] == r->major && partial[i][1] == r->minor)
        continue;
      struct hr_dev_rule *w = find_exact (s, r->type, partial[i][0], partial[i][1]);
      if (w && (w->access & r->access))
        {
          char a[64], b[64];
          fmt_rule (r, a, sizeof a);
          fmt_rule (w, b, sizeof b);
          return hr_error_plain (err, EINVAL,
                                 "device rule \"%s\" not supported by devices cgroup v1 (cannot punch "
                                 "a hole in the wildcard rule \"%s\")",
                                 a, b);
        }
    }
  struct hr_dev_rule *e = find_exact (s, r->type, r->major, r->minor);
  if (e)
    {
      e->access &= ~r->access;
      if (e->access == 0)
        {
          size_t i = e - s->rules;
          memmove (&s->rules[i], &s->rules[i + 1], (s->len - i - 1) * sizeof *s->rules);
          s->len--;
        }
    }
  return 0;
}

int
hr_dev_state_build (oci_linux_device_cgroup *const *rules, size_t n, struct hr_dev_state *out, hr_err *err)
{
  /* runc's buildEmulator / DeviceFilter start from an empty allowlist:
     a config without rules gets only the default devices. */
  struct hr_dev_state s = { .default_allow = false };
  size_t nd;
  const struct hr_dev_rule *defs = hr_dev_default_rules (&nd);

  for (size_t i = 0; i < n; i++)
    {
      struct hr_dev_rule r;
      char path[64];
      snprintf (path, sizeof path, ".linux.resources.devices[%zu]", i);
      if (hr_dev_rule_from_oci (rules[i], &r, path, err) < 0 || hr_dev_state_apply (&s, &r, err) < 0)
        {
          hr_dev_state_free (&s);
          return -1;
        }
    }
  for (size_t i = 0; i < nd; i++)
    if (hr_dev_state_apply (&s, &defs[i], err) < 0)
      {
        hr_dev_state_free (&s);
        return -1;
      }
  *out = s;
  return 0;
}

static int
parse_num (const char *s, const char *end, int64_t *out)
{
  if (end - s == 1 && *s == '*')
    {
      *out = HR_DEV_WILDCARD;
      return 0;
    }
  if (s == end)
    return -1;
  int64_t v = 0;
  for (; s < end; s++)
    {
      if (*s < '0' || *s > '9' || v > UINT32_MAX)
        return -1;
      v = v * 10 + (*s - '0');
    }
  *out = v;
  return 0;
}

/* devices.list: "a *:* rwm" alone when everything is allowed (the kernel
   cannot list a deny-list's exceptions, but runc never builds one with
   exceptions and neither do we: see set_v1), else the allowed exceptions. */
int
hr_dev_state_from_list (const char *list, struct hr_dev_state *out, hr_err *err)
{
  struct hr_dev_state s = { .default_allow = false };
  const char *line = list;

  while (*line)
    {
      const char *nl = strchrnul (line, '\n');
      if (nl > line)
        {
          struct hr_dev_rule r = { .allow = true };
          const char *colon = memchr (line, ':', nl - line);
          const char *sp2 = colon ? memchr (colon, ' ', nl - colon) : NULL;
          _cleanup_free_ char *acc = sp2 ? strndup (sp2 + 1, nl - sp2 - 1) : NULL;
          if (nl - line < 2 || line[1] != ' ' || colon == NULL || sp2 == NULL
              || parse_num (line + 2, colon, &r.major) < 0 || parse_num (colon + 1, sp2, &r.minor) < 0
              || hr_dev_access_parse (acc, &r.access) < 0)
            {
              hr_dev_state_free (&s);
              return hr_error_plain (err, EINVAL, "devices.list: cannot parse \"%.*s\"", (int) (nl - line),
                                     line);
            }
          r.type = line[0];
          if (r.type == 'a')
            {
              hr_dev_state_free (&s);
              s.default_allow = true;
            }
          else
            {
              s.rules = xrealloc (s.rules, (s.len + 1) * sizeof *s.rules);
              s.rules[s.len++] = r;
            }
        }
      line = *nl ? nl + 1 : nl;
    }
  *out = s;
  return 0;
}

static int
write_rule (const char *dir, const struct hr_dev_rule *r, bool allow, hr_err *err)
{
  char buf[64];
  fmt_rule (r, buf, sizeof buf);
  return hr_cgroup_write (dir, allow ? "devices.allow" : "devices.deny", buf, err);
}

/* v1: move the kernel's state from what devices.list shows to `want`, as
   runc's transition does: when the default stays "deny", only the changed
   exceptions are written, so running processes never see a moment where
   /dev/null is denied.  Changing the default needs "a" written first. */
static int
set_v1 (const char *dir, const struct hr_dev_state *want, hr_err *err)
{
  _cleanup_free_ char *list = NULL;
  _cleanup_ (hr_dev_state_free) struct hr_dev_state cur = { 0 };
  bool reset;

  if (hr_cgroup_read (dir, "devices.list", &list, err) < 0 || hr_dev_state_from_list (list, &cur, err) < 0)
    return -1;

  /* The kernel can't show a deny-list's exceptions: from allow-all we
     always reset. */
  reset = cur.default_allow || want->default_allow;
  if (reset)
    {
      struct hr_dev_rule all = { .type = 'a', .major = HR_DEV_WILDCARD, .minor = HR_DEV_WILDCARD,
                                 .access = HR_DEV_ACC_ALL };
      if (want->default_allow && cur.default_allow && want->len == 0)
        return 0;
      if (write_rule (dir, &all, want->default_allow, err) < 0)
        return -1;
      hr_dev_state_free (&cur);
      cur.default_allow = want->default_allow;
    }
  else
    {
      /* Deny-by-default on both sides: drop the access that is no longer
         wanted (exceptions in `cur` the target lacks or has less of). */
      for (size_t i = 0; i < cur.len; i++)
        {
          struct hr_dev_rule drop = cur.rules[i];
          unsigned keep = 0;
          for (size_t j = 0; j < want->len; j++)
            if (want->rules[j].type == drop.type && want->rules[j].major == drop.major
                && want->rules[j].minor == drop.minor)
              keep = want->rules[j].access;
          drop.access &= ~keep;
          if (drop.access && write_rule (dir, &drop, false, err) < 0)
            return -1;
        }
    }
  for (size_t i = 0; i < want->len; i++)
    {
      const struct hr_dev_rule *r = &want->rules[i];
      if (!reset)
        {
          struct hr_dev_rule *c = find_exact (&cur, r->type, r->major, r->minor);
          if (c && (c->access & r->access) == r->access)
            continue;
        }
      if (write_rule (dir, r, !want->default_allow, err) < 0)
        return -1;
    }
  return 0;
}

int
hr_cgroup_set_devices (const struct hr_cgroup *cg, oci_linux_device_cgroup *const *rules, size_t n,
                       hr_err *err)
{
  _cleanup_ (hr_dev_state_free) struct hr_dev_state want = { 0 };
  const char *dir;

  if (hr_dev_state_build (rules, n, &want, err) < 0)
    return -1;

  /* The v1 devices controller wins on hybrid hosts, as in runc: a program
     on the unified hierarchy would only add restrictions on top. */
  dir = cg->layout == HR_CGROUP_UNIFIED ? NULL : hr_cgroup_dir_of (cg, "devices");
  if (dir)
    {
      if (set_v1 (dir, &want, err) < 0)
        return hr_error_wrap (err, "devices cgroup");
      return 0;
    }
  if (cg->layout == HR_CGROUP_UNIFIED && (dir = hr_cgroup_dir_of (cg, "")) != NULL)
    {
      if (hr_ebpf_set_devices (dir, &want, err) < 0)
        return hr_error_wrap (err, "devices cgroup (eBPF)");
      return 0;
    }
  hr_debug ("no devices cgroup: device rules not applied");
  return 0;
}
