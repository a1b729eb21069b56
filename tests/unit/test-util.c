/* SPDX-License-Identifier: Apache-2.0 */
/* src/common/util.c: the time formatting and /etc/passwd lookup that
   replace glibc's gmtime_r/strftime and getpwuid on the start path.  libc's
   own functions are the reference.  No root. */
#include <config.h>
#include "tap.h"
#include "util.h"
#include "cleanup.h"

#include <pwd.h>
#include <time.h>
#include <unistd.h>

static void
check_time (long long secs, long nsec, const char *want)
{
  struct timespec ts = { .tv_sec = (time_t) secs, .tv_nsec = nsec };
  char buf[HR_RFC3339_LEN];
  hr_format_rfc3339 (&ts, buf);
  is_str (buf, want, "%lld.%09ld -> %s", secs, nsec, want);
}

static void
test_rfc3339 (void)
{
  check_time (0, 0, "1970-01-01T00:00:00.000000000Z");
  check_time (951782400, 1, "2000-02-29T00:00:00.000000001Z");   /* leap day of a 400-year leap */
  check_time (1709251199, 999999999, "2024-02-29T23:59:59.999999999Z");
  check_time (4107542400LL, 0, "2100-03-01T00:00:00.000000000Z"); /* 2100 is not a leap year */
  check_time (-1, 500, "1969-12-31T23:59:59.000000500Z");

  /* Every day for 800 years from 1900, against gmtime_r + strftime. */
  int bad = 0;
  for (long long s = -2208988800LL; s < 23036486400LL; s += 86400 + 3661)
    {
      time_t t = (time_t) s;
      struct tm tm;
      char want[HR_RFC3339_LEN], got[HR_RFC3339_LEN];
      struct timespec ts = { .tv_sec = t, .tv_nsec = 42 };
      gmtime_r (&t, &tm);
      size_t n = strftime (want, sizeof (want), "%Y-%m-%dT%H:%M:%S", &tm);
      snprintf (want + n, sizeof (want) - n, ".%09ldZ", 42L);
      hr_format_rfc3339 (&ts, got);
      if (strcmp (want, got) != 0 && bad++ == 0)
        printf ("# first difference: got %s, libc %s\n", got, want);
    }
  ok (bad == 0, "1900..2700: the same text as gmtime_r + strftime (%d differ)", bad);
}

static void
test_passwd (void)
{
  _cleanup_free_ char *root = hr_passwd_name (0);
  is_str (root, "root", "uid 0 is root in /etc/passwd");
  struct passwd *pw = getpwuid (65534);
  _cleanup_free_ char *nobody = hr_passwd_name (65534);
  if (pw)
    is_str (nobody, pw->pw_name, "uid 65534 as getpwuid names it");
  else
    is_str (nobody, "", "uid 65534: no entry, empty name");
  _cleanup_free_ char *none = hr_passwd_name (4000000000u);
  is_str (none, "", "an unknown uid has an empty name");
}

int
main (void)
{
  test_rfc3339 ();
  test_passwd ();
  return tap_done ();
}
