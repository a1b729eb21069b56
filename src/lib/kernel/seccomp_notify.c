/* SPDX-License-Identifier: Apache-2.0 */
#include <config.h>
#include "kernel/seccomp_notify.h"
#include "cleanup.h"
#include "kernel/seccomp.h"
#include "kernel/terminal.h"
#include "util.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

int
hr_seccomp_load (const oci_seccomp *s, int preserve_fds, int sync_fd, hr_err *err)
{
  int notify_fd;
  if (hr_seccomp_apply (s, preserve_fds, &notify_fd, err) < 0)
    return -1;
  return notify_fd >= 0 ? hr_seccomp_notify_handover (sync_fd, notify_fd, err) : 0;
}

int
hr_seccomp_notify_handover (int sync_fd, int notify_fd, hr_err *err)
{
  _cleanup_close_ int fd = notify_fd;
  _cleanup_msg_ struct hr_msg *m = hr_msg_alloc ();

  /* Two packets: the typed header, then the fd (SCM_RIGHTS would be lost
     on the header's readv). */
  if (hr_msg_send (sync_fd, HR_MSG_SECCOMP_FD, 0, NULL, 0, err) < 0 || hr_send_fd (sync_fd, fd, "seccompFd", err) < 0)
    return hr_error_wrap (err, "hand the seccomp notify fd to the runtime");
  return hr_msg_expect (sync_fd, HR_MSG_SECCOMP_DONE, m, err);
}

/* The agent's end: one connection per process state, closed after
   sending (config-linux.md "Seccomp", listenerPath: AF_UNIX, SOCK_STREAM,
   exactly one state per connection). */
static int
send_to_agent (const char *path, const char *json, int fd, hr_err *err)
{
  _cleanup_close_ int sock = hr_unix_connect (path, "seccomp agent", err);
  if (sock < 0)
    return -1;
  /* runc (sendContainerProcessState): the JSON and the fd in one sendmsg. */
  if (hr_send_fd (sock, fd, json, err) < 0)
    return hr_error_wrap (err, "seccomp agent `%s`", path);
  return 0;
}

int
hr_seccomp_notify_forward (int sync_fd, const struct hr_seccomp_agent *agent, hr_err *err)
{
  _cleanup_close_ int fd = hr_recv_fd (sync_fd, err);
  _cleanup_ (oci_state_freep) oci_state *state = NULL;
  _cleanup_free_ char *json = NULL;
  char *fds[] = { (char *) "seccompFd", NULL };

  if (fd < 0)
    return hr_error_wrap (err, "receive the seccomp notify fd");
  if (agent == NULL || agent->seccomp == NULL || agent->seccomp->listener_path == NULL)
    return hr_error_plain (err, EPROTO, "unexpected seccomp notify fd");
  if (oci_state_parse_data (agent->state_json, strlen (agent->state_json), "state", &state, err) < 0)
    return -1;
  oci_container_process_state cps = {
    .oci_version = (char *) OCI_VERSION,
    .fds = fds,
    .fds_len = 1,
    .pid = agent->pid,
    .pid_present = true,
    .metadata = agent->seccomp->listener_metadata,
    .state = state,
  };
  if (oci_container_process_state_to_json (&cps, false, &json, NULL, err) < 0
      || send_to_agent (agent->seccomp->listener_path, json, fd, err) < 0)
    return -1;
  /* Our copy closes here (_cleanup_): the agent holds the only one besides
     the filtered process's, which closes it on DONE. */
  return hr_msg_send (sync_fd, HR_MSG_SECCOMP_DONE, 0, NULL, 0, err);
}

int
hr_seccomp_notify_recv (int sync_fd, struct hr_msg *msg, const struct hr_seccomp_agent *agent, hr_err *err)
{
  for (;;)
    {
      if (hr_msg_recv (sync_fd, msg, err) < 0)
        return -1;
      if (msg->type != HR_MSG_SECCOMP_FD)
        return 0;
      if (hr_seccomp_notify_forward (sync_fd, agent, err) < 0)
        return -1;
    }
}

int
hr_seccomp_notify_expect (int sync_fd, enum hr_msg_type type, struct hr_msg *msg,
                          const struct hr_seccomp_agent *agent, hr_err *err)
{
  if (hr_seccomp_notify_recv (sync_fd, msg, agent, err) < 0)
    return -1;
  return hr_msg_check (msg, type, err);
}
