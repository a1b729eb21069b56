/* SPDX-License-Identifier: Apache-2.0 */
#include <config.h>
#include "netdev.h"
#include "cleanup.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>
#include <string.h>
#include <time.h>

static inline void
mnl_socket_closep (struct mnl_socket **s)
{
  if (*s)
    mnl_socket_close (*s);
  *s = NULL;
}
#define _cleanup_mnl_ _cleanup_ (mnl_socket_closep)

int
hr_netdev_loopback_up (hr_err *err)
{
  _cleanup_mnl_ struct mnl_socket *nl = NULL;
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct nlmsghdr *nlh;
  struct ifinfomsg *ifm;
  unsigned seq = (unsigned) time (NULL);
  unsigned portid;
  ssize_t n;

  nl = mnl_socket_open2 (NETLINK_ROUTE, SOCK_CLOEXEC);
  if (nl == NULL)
    return hr_error_set (err, errno, "open rtnetlink socket");
  if (mnl_socket_bind (nl, 0, MNL_SOCKET_AUTOPID) < 0)
    return hr_error_set (err, errno, "bind rtnetlink socket");
  portid = mnl_socket_get_portid (nl);

  nlh = mnl_nlmsg_put_header (buf);
  nlh->nlmsg_type = RTM_NEWLINK;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  nlh->nlmsg_seq = seq;
  ifm = mnl_nlmsg_put_extra_header (nlh, sizeof (*ifm));
  ifm->ifi_family = AF_UNSPEC;
  /* lo is always ifindex 1 in a new network namespace. */
  ifm->ifi_index = 1;
  ifm->ifi_flags = IFF_UP;
  ifm->ifi_change = IFF_UP;

  if (mnl_socket_sendto (nl, nlh, nlh->nlmsg_len) < 0)
    return hr_error_set (err, errno, "bring lo up: send");
  n = mnl_socket_recvfrom (nl, buf, sizeof (buf));
  if (n < 0)
    return hr_error_set (err, errno, "bring lo up: receive");
  if (mnl_cb_run (buf, (size_t) n, seq, portid, NULL, NULL) < 0)
    return hr_error_set (err, errno, "bring lo up");
  return 0;
}
