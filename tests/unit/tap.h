/* SPDX-License-Identifier: Apache-2.0 */
/* Minimal TAP producer for the C unit tests: tests/run-tests reads TAP from
   every test program and prints the totals. */
#ifndef HYDRA_TAP_H
#define HYDRA_TAP_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_failed;

#define ok(cond, ...)                                                   \
  do {                                                                  \
    int _c = !!(cond);                                                  \
    tap_n++;                                                            \
    if (!_c)                                                            \
      tap_failed++;                                                     \
    printf ("%s %d - ", _c ? "ok" : "not ok", tap_n);                   \
    printf (__VA_ARGS__);                                               \
    printf ("\n");                                                      \
    if (!_c)                                                            \
      printf ("#   failed at %s:%d: %s\n", __FILE__, __LINE__, #cond);  \
  } while (0)

#define is_str(got, want, ...)                                          \
  do {                                                                  \
    const char *_gs = (got), *_ws = (want);                             \
    int _same = (_gs == NULL && _ws == NULL) || (_gs && _ws && strcmp (_gs, _ws) == 0); \
    ok (_same, __VA_ARGS__);                                            \
    if (!_same)                                                         \
      printf ("#   got:  '%s'\n#   want: '%s'\n", _gs ? _gs : "(null)", _ws ? _ws : "(null)"); \
  } while (0)

#define is_int(got, want, ...)                                          \
  do {                                                                  \
    long long _gi = (long long) (got), _wi = (long long) (want);        \
    ok (_gi == _wi, __VA_ARGS__);                                       \
    if (_gi != _wi)                                                     \
      printf ("#   got:  %lld\n#   want: %lld\n", _gi, _wi);          \
  } while (0)

static inline int
tap_done (void)
{
  printf ("1..%d\n", tap_n);
  return tap_failed ? 1 : 0;
}

#endif
