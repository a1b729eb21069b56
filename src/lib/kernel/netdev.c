/* SPDX-License-Identifier: Apache-2.0 */
#include <config.h>
#include "kernel/netdev.h"
#include "cleanup.h"
#include "kernel/namespaces.h"
#include "util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

/* --- linux.netDevices (runtime-spec 1.3 config-linux.md "Network Devices") */

bool
hr_netdev_name_valid (const char *name)
{
  /* The kernel's dev_valid_name(). */
  size_t len = name ? strlen (name) : 0;

  if (len == 0 || len >= IFNAMSIZ || strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
    return false;
  for (const char *c = name; *c; c++)
    if (*c == '/' || *c == ':' || isspace ((unsigned char) *c))
      return false;
  return true;
}

static const char *
netns_path (const oci_linux *lx)
{
  for (size_t i = 0; lx && i < lx->namespaces_len; i++)
    if (lx->namespaces[i]->type == OCI_NAMESPACE_TYPE_NETWORK)
      return lx->namespaces[i]->path && *lx->namespaces[i]->path ? lx->namespaces[i]->path : NULL;
  return NULL;
}

int
hr_netdev_precheck (const oci_linux *lx, hr_err *err)
{
  const char *path = netns_path (lx);
  struct stat own, target;

  if (lx == NULL || lx->net_devices.len == 0)
    return 0;
  /* runc 1.3 refuses a joined namespace that is the runtime's own: the
     devices would not move at all. */
  if (path)
    {
      if (stat ("/proc/self/ns/net", &own) < 0)
        return hr_error_set (err, errno, "stat /proc/self/ns/net");
      if (stat (path, &target) < 0)
        return hr_error_set (err, errno, "linux.netDevices: network namespace `%s`", path);
      if (own.st_dev == target.st_dev && own.st_ino == target.st_ino)
        return hr_error_plain (err, EINVAL, "linux.netDevices: the container's network namespace (`%s`) is the "
                                            "runtime's own: devices can only move into a network namespace of the "
                                            "container's own", path);
    }
  for (size_t i = 0; i < lx->net_devices.len; i++)
    if (if_nametoindex (lx->net_devices.keys[i]) == 0)
      {
        if (errno == ENODEV || errno == ENXIO)
          return hr_error_plain (err, ENODEV, "linux.netDevices: network device `%s` does not exist in the "
                                              "runtime's network namespace", lx->net_devices.keys[i]);
        return hr_error_set (err, errno, "linux.netDevices: network device `%s`", lx->net_devices.keys[i]);
      }
  return 0;
}

/* Big enough for a dump's datagrams (libmnl's NL_DUMP_SIZE, which
   the packaged libmnl may predate). */
#define NL_DUMP_SIZE 32768

/* One rtnetlink socket, bound to one network namespace for its life. */
struct nl
{
  struct mnl_socket *s;
  unsigned portid, seq;
};

static int
nl_open (struct nl *nl, hr_err *err)
{
  nl->s = mnl_socket_open2 (NETLINK_ROUTE, SOCK_CLOEXEC);
  if (nl->s == NULL)
    return hr_error_set (err, errno, "open rtnetlink socket");
  if (mnl_socket_bind (nl->s, 0, MNL_SOCKET_AUTOPID) < 0)
    return hr_error_set (err, errno, "bind rtnetlink socket");
  nl->portid = mnl_socket_get_portid (nl->s);
  nl->seq = (unsigned) time (NULL);
  return 0;
}

/* A socket in the network namespace at nsfd: a netlink socket belongs to
   the namespace of the process that opened it, so enter it just for the
   socket() call and come back (the runtime is single-threaded). */
static int
nl_open_in (struct nl *nl, int nsfd, int own_nsfd, hr_err *err)
{
  int r;

  if (setns (nsfd, CLONE_NEWNET) < 0)
    return hr_error_set (err, errno, "enter the container's network namespace");
  r = nl_open (nl, err);
  if (setns (own_nsfd, CLONE_NEWNET) < 0)
    {
      if (r == 0)
        return hr_error_set (err, errno, "return to the runtime's network namespace");
      return -1;
    }
  return r;
}

static void
nl_close (struct nl *nl)
{
  if (nl->s)
    mnl_socket_close (nl->s);
  nl->s = NULL;
}

/* Send one request and read until its ACK, or the end of a dump; cb sees
   every data message.  A kernel error comes back as errno. */
static int
nl_talk (struct nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
  _cleanup_free_ char *buf = xmalloc0 (NL_DUMP_SIZE);
  ssize_t n;
  int r;

  nlh->nlmsg_seq = ++nl->seq;
  if (mnl_socket_sendto (nl->s, nlh, nlh->nlmsg_len) < 0)
    return -1;
  do
    {
      n = mnl_socket_recvfrom (nl->s, buf, NL_DUMP_SIZE);
      if (n < 0)
        return -1;
      r = mnl_cb_run (buf, (size_t) n, nl->seq, nl->portid, cb, data);
    }
  while (r > MNL_CB_STOP);
  return r < 0 ? -1 : 0;
}

/* Start a request in buf: the header, then the family header of hdr_size
   bytes (ifinfomsg, ifaddrmsg), zeroed, so AF_UNSPEC. */
static struct nlmsghdr *
nl_request (char *buf, uint16_t type, uint16_t flags, size_t hdr_size, void **hdr)
{
  struct nlmsghdr *nlh = mnl_nlmsg_put_header (buf);

  nlh->nlmsg_type = type;
  nlh->nlmsg_flags = NLM_F_REQUEST | flags;
  *hdr = mnl_nlmsg_put_extra_header (nlh, hdr_size);
  return nlh;
}

struct link_info
{
  int index;
  unsigned flags;
  char name[IFNAMSIZ];
  unsigned char mac[32];
  size_t mac_len;
};

static int
link_cb (const struct nlmsghdr *nlh, void *data)
{
  struct link_info *li = data;
  const struct ifinfomsg *ifm = mnl_nlmsg_get_payload (nlh);
  const struct nlattr *a;

  if (nlh->nlmsg_type != RTM_NEWLINK)
    return MNL_CB_OK;
  li->index = ifm->ifi_index;
  li->flags = ifm->ifi_flags;
  mnl_attr_for_each (a, nlh, sizeof (*ifm))
  {
    size_t len = mnl_attr_get_payload_len (a);
    if (mnl_attr_get_type (a) == IFLA_IFNAME && len > 0 && len <= IFNAMSIZ)
      {
        memcpy (li->name, mnl_attr_get_payload (a), len);
        li->name[len - 1] = '\0';
      }
    else if (mnl_attr_get_type (a) == IFLA_ADDRESS && len <= sizeof (li->mac))
      {
        memcpy (li->mac, mnl_attr_get_payload (a), len);
        li->mac_len = len;
      }
  }
  return MNL_CB_OK;
}

/* The device named name (or, without a name, at index). */
static int
link_get (struct nl *nl, const char *name, int index, struct link_info *li)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct ifinfomsg *ifm;
  struct nlmsghdr *nlh = nl_request (buf, RTM_GETLINK, NLM_F_ACK, sizeof (*ifm), (void **) &ifm);

  memset (li, 0, sizeof (*li));
  ifm->ifi_index = name ? 0 : index;
  if (name)
    mnl_attr_put_strz (nlh, IFLA_IFNAME, name);
  if (nl_talk (nl, nlh, link_cb, li) < 0)
    return -1;
  if (li->index == 0)
    {
      errno = ENODEV;
      return -1;
    }
  return 0;
}

/* RTM_NEWLINK on index: up or down, and optionally a new name and a new
   network namespace in the same request (the kernel moves first, then
   renames, so a name taken in the source never gets in the way). */
static int
link_set (struct nl *nl, int index, bool up, const char *name, int nsfd)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct ifinfomsg *ifm;
  struct nlmsghdr *nlh = nl_request (buf, RTM_NEWLINK, NLM_F_ACK, sizeof (*ifm), (void **) &ifm);

  ifm->ifi_index = index;
  ifm->ifi_change = IFF_UP;
  ifm->ifi_flags = up ? IFF_UP : 0;
  if (name)
    mnl_attr_put_strz (nlh, IFLA_IFNAME, name);
  if (nsfd >= 0)
    mnl_attr_put_u32 (nlh, IFLA_NET_NS_FD, (uint32_t) nsfd);
  return nl_talk (nl, nlh, NULL, NULL);
}

struct addr
{
  unsigned char family, prefixlen;
  unsigned char local[16], address[16], broadcast[16];
  size_t local_len, address_len, broadcast_len;
};

struct addr_list
{
  int index;
  struct addr *v;
  size_t n;
};

static void
attr_copy (const struct nlattr *a, unsigned char *dst, size_t *len)
{
  size_t l = mnl_attr_get_payload_len (a);
  if (l == 4 || l == 16)
    {
      memcpy (dst, mnl_attr_get_payload (a), l);
      *len = l;
    }
}

static int
addr_cb (const struct nlmsghdr *nlh, void *data)
{
  struct addr_list *l = data;
  const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload (nlh);
  const struct nlattr *a;
  struct addr ad = { .family = ifa->ifa_family, .prefixlen = ifa->ifa_prefixlen };
  uint32_t flags = ifa->ifa_flags;

  if (nlh->nlmsg_type != RTM_NEWADDR || (int) ifa->ifa_index != l->index)
    return MNL_CB_OK;
  mnl_attr_for_each (a, nlh, sizeof (*ifa))
  {
    switch (mnl_attr_get_type (a))
      {
      case IFA_FLAGS:
        if (mnl_attr_get_payload_len (a) == sizeof (uint32_t))
          flags = mnl_attr_get_u32 (a); /* the full set; ifa_flags has 8 bits */
        break;
      case IFA_LOCAL:
        attr_copy (a, ad.local, &ad.local_len);
        break;
      case IFA_ADDRESS:
        attr_copy (a, ad.address, &ad.address_len);
        break;
      case IFA_BROADCAST:
        attr_copy (a, ad.broadcast, &ad.broadcast_len);
        break;
      }
  }
  /* runtime-spec: the runtime MUST preserve "all permanent IP addresses
     (IFA_F_PERMANENT flag) of any family with global scope
     (RT_SCOPE_UNIVERSE value)", and only those (as runc 1.3): dynamic or
     link-scoped ones belong to the namespace they were made in. */
  if (!(flags & IFA_F_PERMANENT) || ifa->ifa_scope != RT_SCOPE_UNIVERSE)
    return MNL_CB_OK;
  l->v = xrealloc (l->v, (l->n + 1) * sizeof (*l->v));
  l->v[l->n++] = ad;
  return MNL_CB_OK;
}

static int
addr_dump (struct nl *nl, struct addr_list *l)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct ifaddrmsg *ifa;
  struct nlmsghdr *nlh = nl_request (buf, RTM_GETADDR, NLM_F_DUMP, sizeof (*ifa), (void **) &ifa);

  return nl_talk (nl, nlh, addr_cb, l);
}

static int
addr_add (struct nl *nl, int index, const struct addr *ad)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct ifaddrmsg *ifa;
  struct nlmsghdr *nlh
    = nl_request (buf, RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, sizeof (*ifa), (void **) &ifa);

  ifa->ifa_family = ad->family;
  ifa->ifa_prefixlen = ad->prefixlen;
  ifa->ifa_scope = RT_SCOPE_UNIVERSE;
  ifa->ifa_index = (unsigned) index;
  if (ad->local_len)
    mnl_attr_put (nlh, IFA_LOCAL, ad->local_len, ad->local);
  if (ad->address_len)
    mnl_attr_put (nlh, IFA_ADDRESS, ad->address_len, ad->address);
  if (ad->broadcast_len)
    mnl_attr_put (nlh, IFA_BROADCAST, ad->broadcast_len, ad->broadcast);
  return nl_talk (nl, nlh, NULL, NULL);
}

static void
format_addr (const struct addr *ad, char *out, size_t size)
{
  const unsigned char *a = ad->local_len ? ad->local : ad->address;
  char ip[INET6_ADDRSTRLEN] = "?";

  inet_ntop (ad->family, a, ip, sizeof (ip));
  snprintf (out, size, "%s/%u", ip, ad->prefixlen);
}

struct moved
{
  char *host_name;  /* its name in the runtime's namespace */
  char *ctr_name;   /* its name in the container's */
  bool was_up;
};

struct hr_netdev_moves
{
  struct nl host, ctr;
  int host_ns, ctr_ns;
  struct moved *v;
  size_t n;
};

/* Move the device `from` in src's namespace to dst's (open at dst_nsfd)
   as `to`, with its permanent global addresses, then up if `up`.  Once
   the kernel has moved it, *moved_name is its name in dst (so that a
   failure after that point can still move it back). */
static int
move_one (struct nl *src, struct nl *dst, int dst_nsfd, const char *from, const char *to, bool up, char **moved_name,
          bool *was_up, hr_err *err)
{
  struct link_info li, in;
  struct addr_list addrs = { 0 };
  bool template = strchr (to, '%') != NULL;
  int ret = -1;

  *moved_name = NULL;
  if (link_get (src, from, 0, &li) < 0)
    return hr_error_set (err, errno, "network device `%s`", from);
  *was_up = li.flags & IFF_UP;
  addrs.index = li.index;
  if (addr_dump (src, &addrs) < 0)
    {
      hr_error_set (err, errno, "`%s`: read its addresses", from);
      goto out;
    }
  /* runtime-spec: a name taken in the container's namespace is an error
     (a `%d` template lets the kernel pick a free one). */
  if (!template && link_get (dst, to, 0, &in) == 0)
    {
      hr_error_plain (err, EEXIST, "`%s`: a device named `%s` already exists in the container's network namespace",
                      from, to);
      goto out;
    }
  /* Down first, as runc does: nothing on the host side keeps using it
     while it changes namespace and name. */
  if (link_set (src, li.index, false, NULL, -1) < 0)
    {
      hr_error_set (err, errno, "`%s`: set it down", from);
      goto out;
    }
  if (link_set (src, li.index, false, to, dst_nsfd) < 0)
    {
      int e = errno;
      /* The kernel may have moved it and failed the rename after. */
      if (link_get (src, NULL, li.index, &in) < 0 && link_get (dst, from, 0, &in) == 0)
        *moved_name = xstrdup (in.name);
      else if (*was_up)
        (void) link_set (src, li.index, true, NULL, -1);
      hr_error_set (err, e, "`%s`: move it into the container's network namespace as `%s`", from, to);
      goto out;
    }
  /* Find it again: the kernel keeps its index unless the target namespace
     uses it; a template name is only known once the kernel expanded it. */
  if (template ? (link_get (dst, NULL, li.index, &in) < 0 || in.mac_len != li.mac_len
                  || memcmp (in.mac, li.mac, li.mac_len) != 0)
               : link_get (dst, to, 0, &in) < 0)
    {
      *moved_name = xstrdup (to);
      hr_error_plain (err, ENODEV, "`%s`: not found in the container's network namespace after the move", from);
      goto out;
    }
  *moved_name = xstrdup (in.name);
  for (size_t i = 0; i < addrs.n; i++)
    if (addr_add (dst, in.index, &addrs.v[i]) < 0)
      {
        char text[INET6_ADDRSTRLEN + 8];
        format_addr (&addrs.v[i], text, sizeof (text));
        hr_error_set (err, errno, "`%s`: add address %s", in.name, text);
        goto out;
      }
  if (up && link_set (dst, in.index, true, NULL, -1) < 0)
    {
      hr_error_set (err, errno, "`%s`: set it up", in.name);
      goto out;
    }
  ret = 0;
out:
  free (addrs.v);
  return ret;
}

void
hr_netdev_moves_free (struct hr_netdev_moves *m)
{
  if (m == NULL)
    return;
  nl_close (&m->host);
  nl_close (&m->ctr);
  if (m->host_ns >= 0)
    close (m->host_ns);
  if (m->ctr_ns >= 0)
    close (m->ctr_ns);
  for (size_t i = 0; i < m->n; i++)
    {
      free (m->v[i].host_name);
      free (m->v[i].ctr_name);
    }
  free (m->v);
  free (m);
}

void
hr_netdev_move_back (struct hr_netdev_moves *m)
{
  /* Newest first: the reverse of the moves. */
  for (size_t i = m ? m->n : 0; i-- > 0;)
    {
      hr_err ignored = NULL;
      char *name = NULL;
      bool up;
      (void) move_one (&m->ctr, &m->host, m->host_ns, m->v[i].ctr_name, m->v[i].host_name, m->v[i].was_up, &name,
                       &up, &ignored);
      hr_error_free (&ignored);
      free (name);
      /* moved back: hr_netdev_moves_free no longer sees this entry */
      free (m->v[i].host_name);
      free (m->v[i].ctr_name);
    }
  if (m)
    m->n = 0;
}

int
hr_netdev_move_in (const oci_linux *lx, pid_t init_pid, struct hr_netdev_moves **out, hr_err *err)
{
  struct hr_netdev_moves *m;
  const char *path = netns_path (lx);
  _cleanup_free_ char *proc_path = NULL;

  *out = NULL;
  if (lx == NULL || lx->net_devices.len == 0)
    return 0;
  m = xmalloc0 (sizeof (*m));
  m->host_ns = m->ctr_ns = -1;
  /* A joined namespace by its path (the init joins it after GO); a new
     one is the init's, which exists since clone. */
  if (path == NULL)
    path = proc_path = xasprintf ("/proc/%d/ns/net", (int) init_pid);
  m->host_ns = open ("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  if (m->host_ns < 0)
    {
      hr_error_set (err, errno, "open /proc/self/ns/net");
      goto fail;
    }
  m->ctr_ns = hr_ns_open (path, hr_ns_by_name ("network"), err);
  if (m->ctr_ns < 0 || nl_open (&m->host, err) < 0 || nl_open_in (&m->ctr, m->ctr_ns, m->host_ns, err) < 0)
    goto fail;

  for (size_t i = 0; i < lx->net_devices.len; i++)
    {
      const char *host = lx->net_devices.keys[i];
      const oci_linux_net_device *d = lx->net_devices.values[i];
      const char *to = d && d->name && *d->name ? d->name : host;
      char *name = NULL;
      bool was_up = false;
      /* runtime-spec: the device MUST be up once moved. */
      int r = move_one (&m->host, &m->ctr, m->ctr_ns, host, to, true, &name, &was_up, err);
      if (name)
        {
          m->v = xrealloc (m->v, (m->n + 1) * sizeof (*m->v));
          m->v[m->n++] = (struct moved){ .host_name = xstrdup (host), .ctr_name = name, .was_up = was_up };
        }
      if (r < 0)
        {
          hr_error_wrap (err, "linux.netDevices");
          goto fail;
        }
    }
  *out = m;
  return 0;

fail:
  hr_netdev_move_back (m);
  hr_netdev_moves_free (m);
  return -1;
}
