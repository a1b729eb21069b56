/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one logging path.  src/cli configures the sink (--log, --log-format,
 * --debug); everything else only calls hr_log().  Library code uses it for
 * warnings and debug traces, never to report an error it also returns.
 */
#ifndef HYDRA_LOG_H
#define HYDRA_LOG_H

#include <stdbool.h>

enum hr_log_level { HR_LOG_ERROR = 0, HR_LOG_WARNING, HR_LOG_INFO, HR_LOG_DEBUG };
enum hr_log_format { HR_LOG_TEXT = 0, HR_LOG_JSON };

/* fd < 0: log only to stderr.  Returns -1 with errno on a bad path. */
int hr_log_init (const char *path, enum hr_log_format format, bool debug);
void hr_log (enum hr_log_level level, const char *fmt, ...)
  __attribute__ ((format (printf, 2, 3)));
bool hr_log_debug_enabled (void);
/* Release the log fd (before exec of user code: the fd is O_CLOEXEC anyway). */
void hr_log_close (void);

#define hr_debug(...)                            \
  do {                                           \
    if (hr_log_debug_enabled ())                 \
      hr_log (HR_LOG_DEBUG, __VA_ARGS__);        \
  } while (0)
#define hr_warn(...) hr_log (HR_LOG_WARNING, __VA_ARGS__)

#endif
