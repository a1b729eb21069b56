/* SPDX-License-Identifier: Apache-2.0 */
/*
 * migrate-receive: the target's side of a live migration
 * (docs/migration.md).  Everything it can check is checked before it
 * listens; it then serves exactly one authenticated source, keeps what it
 * receives in a private work directory under its state root, restores the
 * container with the same restore the CLI has (restore.c), and says so.
 * Whatever fails, it removes what it made (the images, a rootfs it
 * unpacked; restore removes its own) and tells the source, which then
 * takes its container back.
 */
#include <config.h>
#include "hydra.h"
#include "checkpoint/criu.h"
#include "cleanup.h"
#include "lifecycle/lifecycle.h"
#include "log.h"
#include "migrate/channel.h"
#include "migrate/proto.h"
#include "migrate/supervise.h"
#include "migrate/transfer.h"
#include "state/state.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <poll.h>
#include <signal.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* What the receiving process did that must be undone if it dies
   (supervise.h): cumulative bits. */
enum
{
  TGT_ROOTFS = 1,        /* it made the rootfs */
  TGT_RESTORING = 2,     /* a restore began: a container may exist */
  TGT_REPORTED = 4,      /* the source was told it runs */
};

struct target
{
  int progress;         /* TGT_* */
  const struct hr_mig_key *key;
  struct hr_context *ctx;
  const char *id;
  const struct hr_migrate_receive_opts *opts;
  char *bundle;
  char *rootfs;
  bool need_rootfs;     /* the bundle has none (missing or empty) */
  bool made_rootfs;     /* we made it: removed on failure */
  char *root;
  char *workdir;
  int workfd;
  struct hr_mig_chan *chan;
  bool lazy;            /* post-copy */
  struct hr_mig_keepalive *keepalive;
  uint8_t token[HR_MIG_TOKEN_LEN];
  int ps_sock;          /* post-copy: CRIU's end of the page relay */
  pid_t relay, lazy_pid;
  uint8_t buf[HR_MIG_PAYLOAD_MAX];
};

static bool
dir_empty_or_missing (const char *path, bool *missing)
{
  _cleanup_closedir_ DIR *d = opendir (path);
  struct dirent *de;
  *missing = d == NULL && errno == ENOENT;
  if (d == NULL)
    return *missing;
  while ((de = readdir (d)))
    if (strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0)
      return false;
  return true;
}

/* Before listening: the bundle, the id, CRIU. */
static int
target_check (struct target *t, hr_err *err)
{
  _cleanup_ (oci_config_freep) oci_config *cfg = NULL;
  _cleanup_free_ char *config_path = NULL, *data = NULL;
  size_t len = 0;
  struct hr_container_info info = { 0 };
  hr_err e = NULL;
  int version = 0;
  bool missing = false;

  if (hr_resolve_bundle (t->opts->bundle, &t->bundle, err) < 0)
    return -1;
  config_path = xasprintf ("%s/config.json", t->bundle);
  if (hr_read_config (config_path, &data, &len, &cfg, err) < 0)
    return -1;
  if (hr_resolve_rootfs (t->bundle, cfg, &t->rootfs, err) < 0)
    {
      /* No rootfs yet: --sync-rootfs brings it to this path. */
      if (hr_error_errno (*err) != ENOENT)
        return -1;
      hr_error_free (err);
      t->rootfs = cfg->root->path[0] == '/' ? xstrdup (cfg->root->path)
                                            : xasprintf ("%s/%s", t->bundle, cfg->root->path);
    }
  if (hr_container_state (t->ctx, t->id, &info, &e) == 0)
    {
      hr_container_info_free (&info);
      return hr_error_plain (err, EEXIST, "container with id exists: %s", t->id);
    }
  hr_error_free (&e);
  t->need_rootfs = dir_empty_or_missing (t->rootfs, &missing);
  if (hr_criu_version (t->ctx->criu, &version, err) < 0)
    return -1;
  if (version < HR_CRIU_MIN_VERSION)
    return hr_error_plain (err, ENOTSUP, "CRIU %d.%d.%d is too old: %d.%d or later is needed", version / 10000,
                           version / 100 % 100, version % 100, HR_CRIU_MIN_VERSION / 10000,
                           HR_CRIU_MIN_VERSION / 100 % 100);
  return 0;
}

/* The restored copy is not ours to keep (no report reached the source,
   or no acknowledgement came back): the source keeps or takes back its
   own, so this one goes.  Returns -1 with *err saying so. */
static int
drop_copy (struct target *t, hr_err *err)
{
  hr_err e = NULL;
  if (hr_container_delete (t->ctx, t->id, true, &e) < 0)
    {
      hr_error_wrap (err, "and removing the container here failed (%s)", e->msg);
      hr_error_free (&e);
      return -1;
    }
  return hr_error_wrap (err, "the container is removed here");
}

/* A rootfs unpacked for a migration that failed. */
static void
remove_rootfs (struct target *t, hr_err *err)
{
  hr_err e = NULL;
  if (hr_mig_remove_tree (t->rootfs, &e) < 0)
    {
      hr_error_wrap (err, "and removing the rootfs it received failed (%s)", e->msg);
      hr_error_free (&e);
    }
}

/* Post-copy: the source's second connection, authenticated like the
   first and carrying the token READY gave it; a relay process then owns
   it, the lazy-pages daemon gets t->ps_sock. */
static int
join_page_channel (struct target *t, int listen_fd, const struct hr_mig_key *key, unsigned timeout_ms, hr_err *err)
{
  _cleanup_ (hr_mig_closep) struct hr_mig_chan *data = NULL;
  struct pollfd pfd = { .fd = listen_fd, .events = POLLIN };
  struct hr_mig_msg m;
  int ps[2];

  int n;
  do
    n = poll (&pfd, 1, (int) timeout_ms);
  while (n < 0 && errno == EINTR && !hr_mig_interrupted);
  if (n <= 0)
    return hr_error_plain (err, ETIMEDOUT, "the source did not open its page channel in %u ms", timeout_ms);
  if (hr_mig_accept (listen_fd, key, timeout_ms, &data, err) < 0
      || hr_mig_recv (data, HR_MIG_BIT (HR_MIG_JOIN), t->buf, &m, "the source", err) < 0)
    return hr_error_wrap (err, "post-copy page channel");
  uint8_t diff = 0;
  for (size_t i = 0; i < HR_MIG_TOKEN_LEN; i++)
    diff |= (uint8_t) (m.token[i] ^ t->token[i]);
  if (diff)
    return hr_error_plain (err, EACCES, "post-copy page channel: the connection belongs to another migration");
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ps) < 0)
    return hr_error_set (err, errno, "socketpair");
  int count_fd = -1;
  pid_t pid = hr_mig_spawn_relay (data, ps[0], ps[1], &count_fd, err);
  if (pid < 0)
    {
      close (ps[0]);
      close (ps[1]);
      return -1;
    }
  close (count_fd);
  close (ps[0]);
  hr_mig_forget (data);
  data = NULL;
  t->relay = pid;
  t->ps_sock = ps[1];
  return 0;
}

/* `criu lazy-pages` on the relay's socket, serving the restore's
   userfaultfds from the images directory; the restore finds it by the
   socket it makes there. */
static int
start_lazy_pages (struct target *t, const char *images, hr_err *err)
{
  _cleanup_free_ char *bin = NULL, *sock = xasprintf ("%s/lazy-pages.socket", images);

  if (hr_criu_binary (t->ctx->criu, &bin, err) < 0)
    return -1;
  pid_t pid = fork ();
  if (pid < 0)
    return hr_error_set (err, errno, "fork criu lazy-pages");
  if (pid == 0)
    {
      sigset_t none;
      sigemptyset (&none);
      sigprocmask (SIG_SETMASK, &none, NULL);
      int null = open ("/dev/null", O_RDWR | O_CLOEXEC);
      if (dup2 (t->ps_sock, 3) < 0 || null < 0 || dup2 (null, 0) < 0 || dup2 (null, 1) < 0 || dup2 (null, 2) < 0)
        _exit (126);
      execl (bin, "criu", "lazy-pages", "--page-server", "--ps-socket", "3", "-D", images, "-W", images, "-o",
             "lazy-pages.log", "-v4", (char *) NULL);
      _exit (127);
    }
  t->lazy_pid = pid;
  close (t->ps_sock);
  t->ps_sock = -1;
  /* Ready when its socket exists; gone before that: it failed. */
  for (int i = 0; i < 1000; i++)
    {
      struct stat st;
      int status;
      if (stat (sock, &st) == 0)
        return 0;
      if (waitpid (pid, &status, WNOHANG) == pid)
        {
          t->lazy_pid = 0;
          return hr_error_plain (err, EIO, "criu lazy-pages exited before it was ready (see %s/lazy-pages.log)",
                                 images);
        }
      usleep (10000);
    }
  return hr_error_plain (err, ETIMEDOUT, "criu lazy-pages did not start in 10 s");
}

static int
finish_lazy_pages (struct target *t, hr_err *err)
{
  int status = 0;
  if (t->lazy_pid <= 0)
    return 0;
  while (waitpid (t->lazy_pid, &status, 0) < 0 && errno == EINTR)
    ;
  t->lazy_pid = 0;
  if (!(WIFEXITED (status) && WEXITSTATUS (status) == 0))
    return hr_error_plain (err, EIO, "criu lazy-pages %s %d before every page arrived",
                           WIFEXITED (status) ? "exited with status" : "was killed by signal",
                           WIFEXITED (status) ? WEXITSTATUS (status) : WTERMSIG (status));
  return 0;
}

/* Stop what post-copy started (a failure, or the end). */
static void
stop_lazy (struct target *t, bool done)
{
  if (t->lazy_pid > 0)
    {
      kill (t->lazy_pid, SIGKILL);
      waitpid (t->lazy_pid, NULL, 0);
      t->lazy_pid = 0;
    }
  if (t->ps_sock >= 0)
    close (t->ps_sock);
  t->ps_sock = -1;
  /* Done: the relay ends when both CRIUs have closed; give it time to
     pass the last words on. */
  for (int i = 0; done && t->relay > 0 && i < 1000; i++)
    {
      if (waitpid (t->relay, NULL, WNOHANG) == t->relay)
        t->relay = 0;
      else
        usleep (10000);
    }
  if (t->relay > 0)
    {
      kill (t->relay, SIGKILL);
      waitpid (t->relay, NULL, 0);
      t->relay = 0;
    }
}

static int
receive (struct target *t, const struct hr_mig_key *key, pid_t *pid, hr_err *err)
{
  struct hr_mig_msg m;
  const char *peer = "the source";
  unsigned timeout_ms = (t->opts->timeout_s ? t->opts->timeout_s : 30) * 1000u;
  _cleanup_close_ int listen_fd = -1, dirfd = -1;

  listen_fd = hr_mig_listen (t->opts->listen, err);
  if (listen_fd < 0)
    return -1;
  hr_debug ("waiting for container %s on %s", t->id, t->opts->listen);
  if (hr_mig_accept (listen_fd, key, timeout_ms, &t->chan, err) < 0)
    return -1;
  /* One source: nobody else may connect while this one is served (a
     post-copy source opens its page channel right after READY). */

  if (hr_mig_recv (t->chan, HR_MIG_BIT (HR_MIG_HELLO), t->buf, &m, peer, err) < 0)
    return -1;
  if (m.version != HR_MIG_VERSION)
    return hr_error_plain (err, EPROTO, "the source speaks migration protocol version %u, we speak %u", m.version,
                           HR_MIG_VERSION);
  if (strcmp (m.id, t->id) != 0)
    return hr_error_plain (err, EINVAL, "the source migrates container %s, this target waits for %s", m.id, t->id);
  bool tcp = (m.flags & HR_MIG_F_TCP_ESTABLISHED) != 0;
  /* From here we may be silent for long (CRIU restores): PING meanwhile. */
  if (hr_mig_keepalive_start (t->chan, timeout_ms / 3, &t->keepalive, err) < 0)
    return -1;
  t->lazy = m.mode == HR_MIG_POST_COPY;
  if (t->lazy && hr_criu_lazy_pages_usable (err) < 0)
    return hr_error_wrap (err, "post-copy on the target");
  if (t->need_rootfs && !(m.flags & HR_MIG_F_SYNC_ROOTFS))
    return hr_error_plain (err, ENOENT, "the target's bundle has no rootfs (%s): give migrate --sync-rootfs to send it",
                           t->rootfs);
  {
    uint8_t ready[4 + HR_MIG_TOKEN_LEN] = { t->need_rootfs ? HR_MIG_R_SEND_ROOTFS : 0 };
    if (t->lazy && getrandom (t->token, sizeof (t->token), 0) != (ssize_t) sizeof (t->token))
      return hr_error_set (err, errno, "getrandom");
    memcpy (ready + 4, t->token, HR_MIG_TOKEN_LEN);
    if (hr_mig_send (t->chan, HR_MIG_READY, ready, t->lazy ? sizeof (ready) : 4, NULL, 0, err) < 0)
      return -1;
  }
  if (t->lazy && join_page_channel (t, listen_fd, key, timeout_ms, err) < 0)
    return -1;
  close (listen_fd);
  listen_fd = -1;

  for (;;)
    {
      uint32_t expect = HR_MIG_BIT (HR_MIG_DIR) | HR_MIG_BIT (HR_MIG_RESTORE)
                        | (dirfd >= 0 ? HR_MIG_BIT (HR_MIG_FILE) : 0)
                        | (t->need_rootfs && !t->made_rootfs ? HR_MIG_BIT (HR_MIG_ROOTFS) : 0);
      if (hr_mig_recv (t->chan, expect, t->buf, &m, peer, err) < 0)
        return -1;
      switch (m.type)
        {
        case HR_MIG_ROOTFS:
          if (mkdir (t->rootfs, 0755) < 0 && errno != EEXIST)
            return hr_error_set (err, errno, "create the rootfs %s", t->rootfs);
          t->made_rootfs = true;
          t->progress |= TGT_ROOTFS;
          hr_mig_progress (t->progress);
          if (hr_mig_recv_rootfs (t->chan, t->rootfs, t->buf, peer, err) < 0)
            return hr_error_wrap (err, "receive the rootfs");
          break;
        case HR_MIG_DIR:
          if (dirfd >= 0)
            close (dirfd);
          dirfd = -1;
          if (hr_mig_recv_dir (t->workfd, &m, &dirfd, err) < 0)
            return -1;
          break;
        case HR_MIG_FILE:
          if (hr_mig_recv_file (t->chan, dirfd, &m, t->buf, peer, err) < 0)
            return hr_error_wrap (err, "receive the images");
          break;
        case HR_MIG_RESTORE:
          {
            struct stat st;
            int code = 0;
            if (fstatat (t->workfd, m.name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR (st.st_mode))
              return hr_error_plain (err, EPROTO, "restore from %s: no such image directory was sent", m.name);
            _cleanup_free_ char *images = xasprintf ("%s/%s", t->workdir, m.name);
            struct hr_restore_opts ro = { .image_path = images, .bundle = t->bundle, .detach = true,
                                          .tcp_established = tcp, .stdio_null = true };
            t->progress |= TGT_RESTORING;
            hr_mig_progress (t->progress);
            if (t->lazy && start_lazy_pages (t, images, err) < 0)
              return -1;
            ro.lazy_pages = t->lazy;
            if (hr_container_restore (t->ctx, t->id, &ro, &code, err) < 0)
              return -1;
            struct hr_container_info info = { 0 };
            if (hr_container_state (t->ctx, t->id, &info, err) < 0)
              return -1;
            *pid = info.pid;
            hr_container_info_free (&info);
            /* Told to stop while CRIU restored: the source takes its
               container back, so this copy must go. */
            if (hr_mig_interrupted)
              {
                hr_error_plain (err, EINTR, "interrupted by signal %d during the restore", hr_mig_interrupted);
                return drop_copy (t, err);
              }
            /* (The source that cannot learn it runs here takes its own
               back: this copy must go.) */
            if (hr_mig_send_u32 (t->chan, HR_MIG_RUNNING, (uint32_t) *pid, err) < 0)
              return drop_copy (t, err);
            /* Post-copy: the container runs while its memory arrives;
               the migration is done when the daemon has every page. */
            if (t->lazy
                && (finish_lazy_pages (t, err) < 0 || hr_mig_send (t->chan, HR_MIG_DONE, NULL, 0, NULL, 0, err) < 0))
              {
                hr_error_wrap (err, "post-copy after the restore");
                return drop_copy (t, err);
              }
            /* Ours only with the source's ACK (proto.h). */
            if (hr_mig_recv (t->chan, HR_MIG_BIT (HR_MIG_ACK), t->buf, &m, peer, err) < 0)
              {
                hr_error_wrap (err, "no acknowledgement from the source");
                return drop_copy (t, err);
              }
            t->progress |= TGT_REPORTED;
            hr_mig_progress (t->progress);
            return 0;
          }
        default:
          return hr_error_plain (err, EPROTO, "unexpected message");
        }
    }
}

/* The receiving process: everything that talks to the source. */
static int
target_body (void *arg, void *result, hr_err *err)
{
  struct target *t = arg;
  pid_t *pid = result;

  hr_mig_catch_signals ();
  int r = receive (t, t->key, pid, err);
  hr_mig_keepalive_stop (t->keepalive);
  t->keepalive = NULL;
  stop_lazy (t, r == 0);
  if (r < 0)
    {
      if (t->chan && hr_error_errno (*err) != EREMOTEIO && hr_mig_send_error (t->chan, (*err)->msg) == 0)
        hr_mig_drain (t->chan, 3000);
      hr_mig_closep (&t->chan);
      if (t->made_rootfs)
        remove_rootfs (t, err);
      /* (also the supervisor's job, unless it was the one killed) */
      hr_mig_workdir_remove (t->workdir);
      return -1;
    }
  hr_mig_closep (&t->chan);
  hr_mig_workdir_remove (t->workdir);
  return 0;
}

/* The receiving process died (killed): undo what it got to.  A container
   it restored but never reported is the source's to take back. */
static void
target_recover (void *arg, int progress, hr_err *err)
{
  struct target *t = arg;
  hr_err e = NULL;

  if (progress & TGT_REPORTED)
    return;
  if ((progress & TGT_RESTORING) && hr_container_delete (t->ctx, t->id, true, &e) < 0)
    {
      hr_error_wrap (err, "removing the half-restored container failed (%s)", e->msg);
      hr_error_free (&e);
    }
  if (progress & TGT_ROOTFS)
    remove_rootfs (t, err);
}

int
hr_container_migrate_receive (struct hr_context *ctx, const char *id, const struct hr_migrate_receive_opts *opts,
                              pid_t *pid, hr_err *err)
{
  struct hr_mig_key key = { 0 };
  struct target *t = NULL;
  _cleanup_close_ int rootfd = -1;
  int ret = -1;

  if (hr_validate_id (id, err) < 0)
    return -1;
  if (opts->listen == NULL || *opts->listen == '\0')
    return hr_error_plain (err, EINVAL, "--listen ADDR:PORT is required");
  if (opts->key_file == NULL || *opts->key_file == '\0')
    return hr_error_plain (err, EINVAL, "--key FILE is required");
  if (opts->bundle == NULL || *opts->bundle == '\0')
    return hr_error_plain (err, EINVAL, "--bundle DIR is required");
  {
    struct sockaddr_storage sa;
    socklen_t len;
    if (hr_mig_parse_addr (opts->listen, &sa, &len, err) < 0)
      return hr_error_wrap (err, "--listen");
  }
  if (hr_mig_key_load (opts->key_file, &key, err) < 0)
    return -1;
  t = xmalloc0 (sizeof (*t));
  t->ctx = ctx;
  t->id = id;
  t->opts = opts;
  t->key = &key;
  t->workfd = -1;
  t->ps_sock = -1;
  rootfd = hr_state_root_open (ctx, &t->root, err);
  if (rootfd < 0 || target_check (t, err) < 0
      || hr_mig_workdir_create (t->root, t->id, &t->workdir, &t->workfd, err) < 0)
    goto out;
  hr_mig_catch_signals ();
  if (hr_mig_supervise (target_body, target_recover, t, pid, sizeof (*pid), err) < 0)
    goto out;
  ret = 0;
out:
  if (t->workfd >= 0)
    close (t->workfd);
  hr_mig_workdir_remove (t->workdir);
  free (t->workdir);
  free (t->root);
  free (t->bundle);
  free (t->rootfs);
  free (t);
  hr_mig_key_clear (&key);
  return ret;
}
