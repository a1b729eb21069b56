/* SPDX-License-Identifier: Apache-2.0 */
#include <config.h>
#include "kernel/terminal.h"
#include "cleanup.h"
#include "kernel/resolve.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#ifndef DEVPTS_SUPER_MAGIC
# define DEVPTS_SUPER_MAGIC 0x1cd1
#endif
#ifndef TIOCGPTPEER
# define TIOCGPTPEER _IO ('T', 0x41)
#endif
#define PTMX_MAJOR 5
#define PTMX_MINOR 2
#define PTS_MAJOR_FIRST 136 /* UNIX98_PTY_SLAVE_MAJOR .. +7 */
#define PTS_MAJOR_LAST 143

int
hr_terminal_check (bool terminal, bool detached, const char *console_socket, hr_err *err)
{
  bool have_socket = console_socket && *console_socket;

  /* runc's checkTerminal, word for word but for the program name. */
  if (detached && terminal && !have_socket)
    return hr_error_plain (err, EINVAL, "cannot allocate tty if hydra-runc will detach without setting console socket");
  if ((!detached || !terminal) && have_socket)
    return hr_error_plain (err, EINVAL, "cannot use console socket if hydra-runc will not detach or allocate tty");
  return 0;
}

static bool
on_devpts (int fd)
{
  struct statfs sfs;
  return fstatfs (fd, &sfs) == 0 && sfs.f_type == DEVPTS_SUPER_MAGIC;
}

/* The container's ptmx, from its own devpts instance.  /dev/pts/ptmx is
   what the spec's default mounts give; /dev/ptmx (normally a symlink to
   it) is the fallback.  Whatever the rootfs planted there, the result must
   be the ptmx node of a devpts: a host-style /dev/ptmx device node would
   allocate from the host's devpts instance.

   The path is only looked up (O_PATH) and checked before anything is
   opened for real: opening a device node runs its driver's open as host
   root (a tape rewinds, a watchdog arms, a modem hangs up), so a node the
   container chose (any major:minor, a FIFO that blocks us, a host path
   behind a symlink) must never get that far.  The checked inode itself is
   then reopened through the trusted procfs's magic link to our own O_PATH
   fd, so nothing can be swapped in between the check and the open. */
static int
open_ptmx (int rootfd, int procfd, hr_err *err)
{
  static const char *const paths[] = { "/dev/pts/ptmx", "/dev/ptmx" };
  hr_err e = NULL;

  for (size_t i = 0; i < sizeof (paths) / sizeof (paths[0]); i++)
    {
      _cleanup_close_ int pathfd = -1;
      struct stat st;
      char rel[64];
      int fd;

      hr_error_free (&e);
      pathfd = hr_open_in_root (rootfd, paths[i], O_PATH, &e);
      if (pathfd < 0)
        continue;
      if (fstat (pathfd, &st) < 0 || !S_ISCHR (st.st_mode) || major (st.st_rdev) != PTMX_MAJOR
          || minor (st.st_rdev) != PTMX_MINOR || !on_devpts (pathfd))
        {
          hr_error_plain (&e, EPERM, "`%s` in the container is not the ptmx of a devpts mount", paths[i]);
          continue;
        }
      snprintf (rel, sizeof (rel), "thread-self/fd/%d", pathfd);
      fd = openat (procfd, rel, O_RDWR | O_NOCTTY | O_CLOEXEC);
      if (fd < 0)
        {
          hr_error_set (&e, errno, "reopen `%s` through the trusted procfs", paths[i]);
          continue;
        }
      return fd;
    }
  *err = e;
  return hr_error_wrap (err, "allocate a terminal in the container");
}

/* /dev/console becomes a bind mount of the slave (runc's mountConsole).
   The mount point is made (or checked) through the resolver, and a symlink
   planted there is replaced, never followed. */
static int
mount_console (int rootfd, int slave, hr_err *err)
{
  _cleanup_close_ int dev = -1, target = -1, mfd = -1;
  struct stat st;

  dev = hr_open_in_root (rootfd, "/dev", O_PATH | O_DIRECTORY, err);
  if (dev < 0)
    return hr_error_wrap (err, "mount /dev/console");
  if (fstatat (dev, "console", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK (st.st_mode)
      && unlinkat (dev, "console", 0) < 0)
    return hr_error_set (err, errno, "remove symlink /dev/console");
  target = openat (dev, "console", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
  if (target < 0 && errno != EEXIST)
    return hr_error_set (err, errno, "create /dev/console");
  if (target >= 0)
    close (target);
  target = openat (dev, "console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (target < 0)
    return hr_error_set (err, errno, "open /dev/console");
  if (fstat (target, &st) < 0 || !(S_ISREG (st.st_mode) || S_ISCHR (st.st_mode)))
    return hr_error_plain (err, EINVAL, "/dev/console in the container is neither a file nor a device");
  /* The source is the slave fd itself (verified by the caller): no path
     under /dev/pts is looked up (CVE-2025-52565 class). */
  mfd = open_tree (slave, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
  if (mfd < 0)
    return hr_error_set (err, errno, "bind the terminal onto /dev/console");
  if (move_mount (mfd, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return hr_error_set (err, errno, "bind the terminal onto /dev/console");
  return 0;
}

int
hr_terminal_setup (int rootfd, int procfd, int console_fd, bool mount_console_too, const oci_box *size, uid_t owner,
                   hr_err *err)
{
  _cleanup_close_ int master = -1, slave = -1;
  struct stat st;
  unsigned int ptn = 0;
  int unlock = 0;
  char name[64];

  master = open_ptmx (rootfd, procfd, err);
  if (master < 0)
    return -1;
  if (ioctl (master, TIOCSPTLCK, &unlock) < 0)
    return hr_error_set (err, errno, "unlock the terminal");
  /* The peer comes from the master, never from opening /dev/pts/N by
     path: the rootfs or the container could have put anything there
     (CVE-2025-52565 class). */
  slave = ioctl (master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0)
    return hr_error_set (err, errno, "open the terminal's peer (TIOCGPTPEER)");
  if (fstat (slave, &st) < 0 || !S_ISCHR (st.st_mode) || major (st.st_rdev) < PTS_MAJOR_FIRST
      || major (st.st_rdev) > PTS_MAJOR_LAST || !on_devpts (slave))
    return hr_error_plain (err, EPERM, "the terminal's peer is not a devpts slave");
  if (ioctl (master, TIOCGPTN, &ptn) < 0)
    return hr_error_set (err, errno, "get the terminal's number");
  snprintf (name, sizeof (name), "/dev/pts/%u", ptn);
  /* The process owns its terminal, or could not change its modes or
     write to it after a uid change (runc's fixStdioPermissions: the uid
     only, the group stays the one devpts gave, "tty" with the spec's
     gid=5).  As runc, EINVAL (uid not mapped in the user namespace) and
     EPERM (the inode's owner is not) leave it as it is. */
  if (fchown (slave, owner, (gid_t) -1) < 0 && errno != EINVAL && errno != EPERM)
    return hr_error_set (err, errno, "give the terminal to uid %u", (unsigned) owner);

  if (size)
    {
      struct winsize ws = { .ws_row = (unsigned short) size->height, .ws_col = (unsigned short) size->width };
      if (ioctl (slave, TIOCSWINSZ, &ws) < 0)
        return hr_error_set (err, errno, "set the console size");
    }
  if (mount_console_too && mount_console (rootfd, slave, err) < 0)
    return -1;

  if (hr_send_fd (console_fd, master, name, err) < 0)
    return hr_error_wrap (err, "send the terminal to the runtime");
  close (console_fd);

  /* A session of our own, with the slave as its controlling terminal. */
  if (setsid () < 0)
    return hr_error_set (err, errno, "setsid");
  if (ioctl (slave, TIOCSCTTY, 0) < 0)
    return hr_error_set (err, errno, "make the terminal the controlling terminal (TIOCSCTTY)");
  for (int fd = 0; fd < 3; fd++)
    if (dup2 (slave, fd) < 0) /* dup2 clears FD_CLOEXEC: the process keeps 0, 1, 2 */
      return hr_error_set (err, errno, "dup the terminal onto fd %d", fd);
  if (slave < 3)
    {
      /* It already was one of the stdio fds (dup2 onto itself is a no-op):
         keep it open across execve. */
      (void) fcntl (slave, F_SETFD, 0);
      slave = -1;
    }
  return 0;
}

int
hr_send_fd (int sock, int fd, const char *name, hr_err *err)
{
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } u;
  struct iovec iov = { .iov_base = (void *) name, .iov_len = strlen (name) };
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof (u.buf) };
  struct cmsghdr *c;
  ssize_t r;

  memset (&u, 0, sizeof (u));
  c = CMSG_FIRSTHDR (&mh);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (c), &fd, sizeof (int));
  do
    r = sendmsg (sock, &mh, MSG_NOSIGNAL);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return hr_error_set (err, errno, "send file descriptor");
  return 0;
}

int
hr_recv_fd (int sock, hr_err *err)
{
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } u;
  char data[256];
  struct iovec iov = { .iov_base = data, .iov_len = sizeof (data) };
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof (u.buf) };
  struct cmsghdr *c;
  ssize_t r;
  int fd;

  do
    r = recvmsg (sock, &mh, MSG_CMSG_CLOEXEC);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return hr_error_set (err, errno, "receive file descriptor");
  c = CMSG_FIRSTHDR (&mh);
  if (r == 0 || c == NULL || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS
      || c->cmsg_len != CMSG_LEN (sizeof (int)))
    return hr_error_plain (err, EPROTO, "no file descriptor received");
  memcpy (&fd, CMSG_DATA (c), sizeof (int));
  if (mh.msg_flags & MSG_CTRUNC)
    {
      close (fd);
      return hr_error_plain (err, EPROTO, "file descriptor message truncated");
    }
  return fd;
}

int
hr_console_socket_send (const char *path, int master, hr_err *err)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  _cleanup_close_ int sock = -1;
  int r;

  if (strlen (path) >= sizeof (sa.sun_path))
    return hr_error_plain (err, ENAMETOOLONG, "console socket path too long: %s", path);
  strcpy (sa.sun_path, path);
  sock = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0)
    return hr_error_set (err, errno, "console socket");
  do
    r = connect (sock, (struct sockaddr *) &sa, sizeof (sa));
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return hr_error_set (err, errno, "connect to console socket `%s`", path);
  /* runc sends the master's name along; receivers ignore or log it. */
  if (hr_send_fd (sock, master, "/dev/ptmx", err) < 0)
    return hr_error_wrap (err, "console socket `%s`", path);
  return 0;
}

/* --- foreground: signals, the pty proxy, the exit status ---------------- */

static const int forwarded[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT };

static void
copy_winsize (int from, int to)
{
  struct winsize ws;
  if (ioctl (from, TIOCGWINSZ, &ws) == 0 && (ws.ws_row || ws.ws_col))
    (void) ioctl (to, TIOCSWINSZ, &ws);
}

void
hr_terminal_inherit_size (int master)
{
  if (isatty (0))
    copy_winsize (0, master);
}

/* One chunk from `from` to `to`.  Returns 0 at EOF (or EIO: a pty master
   whose slaves are all closed), 1 after copying, -1 on EAGAIN. */
static int
pump (int from, int to)
{
  char buf[8192];
  ssize_t n;

  do
    n = read (from, buf, sizeof (buf));
  while (n < 0 && errno == EINTR);
  if (n < 0 && errno == EAGAIN)
    return -1;
  if (n <= 0)
    return 0;
  (void) hr_write_all (to, buf, (size_t) n);
  return 1;
}

static int
exit_status (int status)
{
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

int
hr_foreground_wait (pid_t pid, int master, int *exit_code, hr_err *err)
{
  _cleanup_close_ int sfd = -1;
  sigset_t set, old;
  struct termios saved;
  bool raw = false, in_open = master >= 0, master_open = master >= 0;
  int status = 0, ret = -1;
  pid_t r;

  sigemptyset (&set);
  for (size_t i = 0; i < sizeof (forwarded) / sizeof (forwarded[0]); i++)
    sigaddset (&set, forwarded[i]);
  sigaddset (&set, SIGCHLD);
  /* Blocked and read from a signalfd: no handler races with waitpid. */
  if (sigprocmask (SIG_BLOCK, &set, &old) < 0)
    return hr_error_set (err, errno, "sigprocmask");
  sfd = signalfd (-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sfd < 0)
    {
      hr_error_set (err, errno, "signalfd");
      goto out;
    }
  if (master >= 0 && isatty (0))
    {
      copy_winsize (0, master);
      if (tcgetattr (0, &saved) == 0)
        {
          struct termios t = saved;
          cfmakeraw (&t);
          raw = tcsetattr (0, TCSANOW, &t) == 0;
        }
    }
  if (master >= 0)
    (void) fcntl (master, F_SETFL, fcntl (master, F_GETFL) | O_NONBLOCK);

  for (;;)
    {
      struct pollfd p[3] = { { .fd = sfd, .events = POLLIN }, { .fd = -1 }, { .fd = -1 } };

      r = waitpid (pid, &status, WNOHANG);
      if (r == pid)
        break;
      if (r < 0 && errno != EINTR)
        {
          hr_error_set (err, errno, "wait for process %d", (int) pid);
          goto out;
        }
      if (in_open)
        p[1] = (struct pollfd){ .fd = 0, .events = POLLIN };
      if (master_open)
        p[2] = (struct pollfd){ .fd = master, .events = POLLIN };
      if (poll (p, 3, -1) < 0 && errno != EINTR)
        {
          hr_error_set (err, errno, "poll");
          goto out;
        }
      if (p[0].revents & POLLIN)
        {
          struct signalfd_siginfo si;
          while (read (sfd, &si, sizeof (si)) == (ssize_t) sizeof (si))
            {
              if ((int) si.ssi_signo == SIGCHLD)
                continue;
              if ((int) si.ssi_signo == SIGWINCH && master >= 0)
                {
                  /* The pty's size follows ours; the kernel tells the
                     container's foreground process group. */
                  if (isatty (0))
                    copy_winsize (0, master);
                  continue;
                }
              kill (pid, (int) si.ssi_signo);
            }
        }
      if (p[1].revents & (POLLIN | POLLHUP | POLLERR) && pump (0, master) == 0)
        in_open = false;
      if (p[2].revents & (POLLIN | POLLHUP | POLLERR) && pump (master, 1) == 0)
        master_open = false;
    }

  /* The process is gone: what it wrote is still buffered in the pty.
     Drain it (a background process that still holds the slave must not
     keep us here forever: stop when nothing comes for a moment). */
  while (master_open)
    {
      struct pollfd p = { .fd = master, .events = POLLIN };
      if (poll (&p, 1, 100) <= 0 || pump (master, 1) <= 0)
        break;
    }
  *exit_code = exit_status (status);
  ret = 0;

out:
  if (raw)
    (void) tcsetattr (0, TCSANOW, &saved);
  sigprocmask (SIG_SETMASK, &old, NULL);
  return ret;
}
