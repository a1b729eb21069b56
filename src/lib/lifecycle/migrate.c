/* SPDX-License-Identifier: Apache-2.0 */
/*
 * migrate: the source's side of a live migration (docs/migration.md).
 *
 * The container is dumped by the same checkpoint the CLI has
 * (checkpoint.c), into a private work directory, and its images cross
 * the authenticated, encrypted channel (migrate/channel.c) to
 * migrate-receive, which restores it.  The rule that shapes the order:
 * until the target says the container runs, the source can take it back.
 *  - Without --tcp-established the container is paused (cgroup freezer)
 *    and dumped with leave-running: CRIU leaves a frozen cgroup frozen
 *    (it restores the freezer state it found), so the container stays
 *    stopped while its image travels, and a failure only resumes it.
 *  - With --tcp-established CRIU must kill the tasks while their sockets
 *    are in repair mode (closing a repaired socket sends nothing; a
 *    normal close would reset the peer), so the dump ends the container
 *    here; a failure then restores it here from the same images.
 * Pre-copy (P.Haul's iterative migration): pre-dump rounds while the
 * container runs, each sent at once, the next one holding only what was
 * dirtied since (CRIU's soft-dirty tracking, the "parent" link), until
 * the dirty set stops shrinking or --max-rounds; the final dump then
 * holds only the last dirty pages.
 */
#include <config.h>
#include "hydra.h"
#include "checkpoint/checkpoint.h"
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

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* What the migration process did that must be undone if it dies
   (supervise.h): cumulative bits. */
enum
{
  SRC_PAUSED = 1,        /* we froze the container */
  SRC_DUMPED_AWAY = 2,   /* the dump ended it here (tcp-established) */
  SRC_RUNS_THERE = 4,    /* the target said it runs */
  SRC_REMOVED = 8,       /* and it is gone here */
  SRC_REPORTED = 16,     /* the target's report came: from here the outcome may be unknown */
};


static double
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec * 1000.0 + (double) ts.tv_nsec / 1e6;
}

char *
hr_migrate_stats_json (const struct hr_migrate_stats *s)
{
  char *out = xasprintf ("{\"mode\":\"%s\",\"downtime_ms\":%.0f,\"total_ms\":%.0f,\"frozen_time_ms\":%.0f,"
                         "\"dump_ms\":%.0f,\"send_ms\":%.0f,\"restore_ms\":%.0f,\"bytes_sent\":%llu,\"rounds\":[",
                         s->mode, s->downtime_ms, s->total_ms, s->frozen_ms, s->dump_ms, s->send_ms, s->restore_ms,
                         (unsigned long long) s->bytes_sent);
  for (size_t i = 0; i <= s->n_rounds; i++)
    {
      char *next = i < s->n_rounds ? xasprintf ("%s%s{\"pages\":%llu,\"bytes\":%llu}", out, i ? "," : "",
                                                (unsigned long long) s->rounds[i].pages,
                                                (unsigned long long) s->rounds[i].bytes)
                                   : xasprintf ("%s]}", out);
      free (out);
      out = next;
    }
  return out;
}

struct source
{
  struct hr_context *ctx;
  const char *id;
  const struct hr_migrate_opts *opts;
  enum hr_mig_mode mode;
  struct hr_mig_chan *chan;
  struct hr_mig_chan *data;   /* post-copy's page channel until the relay takes it */
  struct hr_mig_keepalive *keepalive;
  const struct hr_mig_key *key;
  char *root;
  char *workdir;
  int workfd;
  char *bundle;       /* for a restore here after a failed tcp-established migration */
  char *rootfs;
  int progress;       /* SRC_* */
  bool paused;        /* we froze it */
  bool dumped_away;   /* the dump ended the container here (tcp-established) */
  bool uncertain;     /* the target may run it: never take it back */
  double t_dumped;    /* when the final dump was written */
  uint8_t buf[HR_MIG_PAYLOAD_MAX];
};

/* What the source checks before it connects: the container runs and
   CRIU could take it (checkpoint's own refusals come again at the dump,
   but then the target has already been told). */
static int
source_check (struct source *s, hr_err *err)
{
  struct hr_container c;
  _cleanup_ (oci_config_freep) oci_config *cfg = NULL;
  int ret = -1;

  if (hr_container_load (s->ctx, s->id, HR_STATE_LOCK_SH, &c, err) < 0)
    return -1;
  if (strcmp (c.status, "running") != 0)
    {
      hr_error_plain (err, EINVAL, "container %s is %s: only a running container can be migrated", s->id,
                      c.status);
      goto out;
    }
  if (hr_state_load_config (c.dirfd, &cfg, err) < 0 || hr_checkpoint_check_config (cfg, err) < 0)
    goto out;
  /* A restore gives a terminal's master to a --console-socket; the target
     has none to give (its stdio is /dev/null). */
  if (cfg->process && cfg->process->terminal_present && cfg->process->terminal)
    {
      hr_error_plain (err, ENOTSUP, "container %s has a terminal (process.terminal): migrate-receive has no console "
                                    "socket to give it",
                      s->id);
      goto out;
    }
  s->bundle = xstrdup (c.state->bundle);
  s->rootfs = xstrdup (c.state->rootfs);
  ret = 0;
out:
  hr_container_release (&c);
  return ret;
}

static void
round_name (char *buf, size_t n, unsigned i)
{
  snprintf (buf, n, "pre-%u", i);
}

/* The pages CRIU wrote in round NAME (its stats-dump), 0 when unknown. */
static uint64_t
round_pages (struct source *s, const char *name, double *frozen_ms)
{
  struct hr_criu_dump_stats st;
  _cleanup_close_ int fd = openat (s->workfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || hr_criu_dump_stats_read (fd, &st, NULL) < 0)
    return 0;
  if (frozen_ms)
    *frozen_ms = (double) st.frozen_time / 1000.0;
  return st.pages_written;
}

static int
send_round (struct source *s, const char *name, const char *parent, struct hr_migrate_stats *stats, hr_err *err)
{
  struct hr_migrate_round *r = &stats->rounds[stats->n_rounds];
  uint64_t before = hr_mig_bytes_sent (s->chan), bytes = 0;

  if (hr_mig_send_dir (s->chan, s->workfd, name, parent, &bytes, err) < 0)
    return -1;
  r->bytes = hr_mig_bytes_sent (s->chan) - before;
  stats->n_rounds++;
  return 0;
}

static int
pre_copy (struct source *s, char *last, size_t lastn, struct hr_migrate_stats *stats, hr_err *err)
{
  unsigned max = s->opts->max_rounds ? s->opts->max_rounds : 5;
  uint64_t prev = UINT64_MAX;

  if (max > HR_MIGRATE_MAX_ROUNDS)
    max = HR_MIGRATE_MAX_ROUNDS;
  for (unsigned i = 1; i <= max; i++)
    {
      char name[32], parent[32], path[4096], parent_rel[48];
      round_name (name, sizeof (name), i);
      round_name (parent, sizeof (parent), i - 1);
      snprintf (path, sizeof (path), "%s/%s", s->workdir, name);
      snprintf (parent_rel, sizeof (parent_rel), "../%s", parent);
      struct hr_checkpoint_opts co = { .image_path = path, .pre_dump = true, .status_fd = -1,
                                       .parent_path = i > 1 ? parent_rel : NULL };
      if (hr_container_checkpoint (s->ctx, s->id, &co, err) < 0)
        return hr_error_wrap (err, "pre-copy round %u", i);
      uint64_t pages = round_pages (s, name, NULL);
      stats->rounds[stats->n_rounds].pages = pages;
      if (send_round (s, name, i > 1 ? parent : NULL, stats, err) < 0)
        return -1;
      snprintf (last, lastn, "%s", name);
      hr_debug ("pre-copy round %u: %llu pages", i, (unsigned long long) pages);
      /* The dirty set stopped shrinking (or there is none left): more
         rounds would send the same pages again. */
      if (pages == 0 || pages >= prev)
        break;
      prev = pages;
    }
  return 0;
}

/* The final dump: from here the container does not run on the source. */
static int
final_dump (struct source *s, const char *parent, struct hr_migrate_stats *stats, hr_err *err)
{
  char path[4096], parent_rel[48];
  double frozen = 0;

  snprintf (path, sizeof (path), "%s/final", s->workdir);
  if (parent)
    snprintf (parent_rel, sizeof (parent_rel), "../%s", parent);
  if (!s->opts->tcp_established)
    {
      if (hr_container_pause (s->ctx, s->id, err) < 0)
        return hr_error_wrap (err, "freeze the container");
      s->paused = true;
      s->progress |= SRC_PAUSED;
      hr_mig_progress (s->progress);
    }
  struct hr_checkpoint_opts co = { .image_path = path, .status_fd = -1, .parent_path = parent ? parent_rel : NULL,
                                   .leave_running = !s->opts->tcp_established,
                                   .tcp_established = s->opts->tcp_established };
  if (hr_container_checkpoint (s->ctx, s->id, &co, err) < 0)
    return hr_error_wrap (err, "dump");
  if (s->opts->tcp_established)
    {
      s->dumped_away = true;
      s->progress |= SRC_DUMPED_AWAY;
      hr_mig_progress (s->progress);
    }
  s->t_dumped = now_ms ();
  stats->rounds[stats->n_rounds].pages = round_pages (s, "final", &frozen);
  stats->frozen_ms = frozen;
  return send_round (s, "final", parent, stats, err);
}

/* Take the container back after a failure: thaw it, or (its tasks are
   gone) restore it here from its final images. */
static void
take_back (struct source *s, hr_err *err)
{
  hr_err e = NULL;

  if (s->uncertain)
    {
      hr_error_wrap (err, "the outcome is unknown: container %s may run on %s; it is left %s here (check the target, "
                          "then resume or delete it here)",
                     s->id, s->opts->to, s->dumped_away ? "stopped (not restored)" : "paused");
      return;
    }
  if (s->paused && !s->dumped_away)
    {
      if (hr_container_resume (s->ctx, s->id, &e) < 0)
        {
          hr_error_wrap (err, "and resuming the container failed too (%s)", e->msg);
          hr_error_free (&e);
          return;
        }
      hr_error_wrap (err, "migration of %s failed, it runs here again", s->id);
      return;
    }
  if (!s->dumped_away)
    {
      hr_error_wrap (err, "migration of %s failed, it still runs here", s->id);
      return;
    }
  char path[4096];
  int code = 0;
  snprintf (path, sizeof (path), "%s/final", s->workdir);
  struct hr_restore_opts ro = { .image_path = path, .bundle = s->bundle, .detach = true, .tcp_established = true };
  if (hr_container_restore (s->ctx, s->id, &ro, &code, &e) < 0)
    {
      hr_error_wrap (err, "and restoring the container here failed too (%s)", e->msg);
      hr_error_free (&e);
      return;
    }
  hr_error_wrap (err, "migration of %s failed, it was restored here and runs again", s->id);
}

/* The target reported the container running (post-copy: complete).
   Acknowledge it and wait for the target's clean close, which it sends
   only once it has the ACK and keeps the container: only then does the
   copy here go.  A connection lost in between leaves the outcome unknown,
   and the container is then never taken back here. */
static int
commit (struct source *s, hr_err *err)
{
  s->progress |= SRC_REPORTED;
  hr_mig_progress (s->progress);
  /* Nothing of ours may follow the ACK (a keepalive arriving after the
     target closed would make its kernel reset the connection). */
  hr_mig_keepalive_stop (s->keepalive);
  s->keepalive = NULL;
  if (hr_mig_send (s->chan, HR_MIG_ACK, NULL, 0, NULL, 0, err) < 0 || hr_mig_wait_close (s->chan, err) < 0)
    {
      s->uncertain = true;
      return hr_error_wrap (err, "the target reported the container running, then the connection failed");
    }
  s->progress |= SRC_RUNS_THERE;
  hr_mig_progress (s->progress);
  return 0;
}

/* The lazy dump runs in a child: CRIU answers it only when the target has
   taken every page, while we must send the images and wait for the
   restore meanwhile.  Its error text comes back on *err_fd. */
static pid_t
spawn_lazy_dump (struct source *s, int ps_sock, int status_fd, int *err_fd, hr_err *err)
{
  int fd = -1;
  pid_t pid = hr_mig_fork_piped (&fd, "the dump", err);
  if (pid != 0)
    {
      *err_fd = fd;
      return pid;
    }
  hr_err e = NULL;
  char path[4096];
  snprintf (path, sizeof (path), "%s/final", s->workdir);
  /* leave-running on the frozen container: CRIU ends a page-server
     session cut short as if it were complete, so it must never be the one
     to end the tasks (the target's DONE decides). */
  struct hr_checkpoint_opts co = { .image_path = path, .lazy_pages = true, .status_fd = status_fd,
                                   .page_server_fd = ps_sock, .leave_running = true };
  int r = hr_container_checkpoint (s->ctx, s->id, &co, &e);
  if (r < 0)
    (void) hr_write_all (fd, e->msg, strlen (e->msg));
  _exit (r < 0 ? 1 : 0);
}

/* Wait for a helper child; its error text (if any) from ERR_FD. */
static int
reap (pid_t pid, int err_fd, const char *what, hr_err *err)
{
  int status = 0;
  _cleanup_free_ char *msg = NULL;
  size_t len = 0;
  if (err_fd >= 0)
    (void) hr_read_all (err_fd, 1 << 16, &msg, &len, NULL);
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return 0;
  if (msg && len)
    return hr_error_from_msg (err, EIO, msg);
  return hr_error_plain (err, EIO, "%s %s %d", what, WIFEXITED (status) ? "exited with status" : "killed by signal",
                         WIFEXITED (status) ? WEXITSTATUS (status) : WTERMSIG (status));
}

/* Post-copy: CRIU dumps all but the memory, the target restores at once
   and its lazy-pages daemon pulls each page from our CRIU's page server
   as the container touches it (userfaultfd), then the rest.  Both CRIUs
   speak through socketpairs that relay processes carry over a second
   connection, authenticated like the first and bound to it by a token:
   no page server listens on any network. */
static int
post_copy (struct source *s, const struct hr_mig_msg *ready, struct hr_migrate_stats *stats, double *t_frozen,
           hr_err *err)
{
  struct hr_mig_chan *data = s->data;
  struct hr_mig_msg m;
  int ps[2] = { -1, -1 }, st[2] = { -1, -1 }, count_fd = -1, dump_err = -1, ret = -1;
  pid_t relay = -1, dump = -1;
  uint64_t relayed = 0;
  char c;

  (void) ready;
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ps) < 0 || pipe2 (st, O_CLOEXEC) < 0)
    {
      hr_error_set (err, errno, "socketpair");
      goto out;
    }
  relay = hr_mig_spawn_relay (data, ps[0], ps[1], &count_fd, err);
  if (relay < 0)
    goto out;
  hr_mig_forget (data);
  s->data = NULL;
  close (ps[0]);
  ps[0] = -1;

  /* Downtime starts here: the container stops running on the source. */
  *t_frozen = now_ms ();
  if (hr_container_pause (s->ctx, s->id, err) < 0)
    {
      hr_error_wrap (err, "freeze the container");
      goto out;
    }
  s->paused = true;
  s->progress |= SRC_PAUSED;
  hr_mig_progress (s->progress);
  dump = spawn_lazy_dump (s, ps[1], st[1], &dump_err, err);
  if (dump < 0)
    goto out;
  close (ps[1]);
  ps[1] = -1;
  close (st[1]);
  st[1] = -1;
  /* CRIU's "status-ready": the images are written and its page server
     waits.  EOF instead: the dump failed (and the container runs on). */
  ssize_t n;
  do
    n = read (st[0], &c, 1);
  while (n < 0 && errno == EINTR && !hr_mig_interrupted);
  if (n != 1)
    {
      if (reap (dump, dump_err, "the dump", err) == 0)
        hr_error_plain (err, EIO, "the lazy dump ended before its page server was ready");
      dump = -1;
      goto out;
    }
  s->t_dumped = now_ms ();
  if (send_round (s, "final", NULL, stats, err) < 0)
    goto out;
  double t_sent = now_ms ();
  if (hr_mig_send_restore (s->chan, HR_MIG_F_LAZY_PAGES, "final", err) < 0)
    goto out;
  if (hr_mig_recv (s->chan, HR_MIG_BIT (HR_MIG_RUNNING), s->buf, &m, "the target", err) < 0)
    {
      hr_error_wrap (err, "restore on the target");
      goto out;
    }
  double t_end = now_ms ();
  stats->downtime_ms = t_end - *t_frozen;
  stats->restore_ms = t_end - t_sent;
  stats->send_ms = t_sent - s->t_dumped;
  stats->dump_ms = s->t_dumped - *t_frozen;
  /* The container runs there; our CRIU serves the rest of its memory,
     and the target says DONE when its daemon has every page.  Until then
     the frozen copy here is the one that counts. */
  int r = reap (dump, dump_err, "the dump", err);
  dump = -1;
  if (r == 0)
    r = hr_mig_recv (s->chan, HR_MIG_BIT (HR_MIG_DONE), s->buf, &m, "the target", err);
  if (r < 0)
    {
      hr_error_wrap (err, "post-copy failed after the container started on the target (removed there)");
      goto out;
    }
  if (commit (s, err) < 0)
    goto out;
  {
    _cleanup_close_ int fd = openat (s->workfd, "final", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct hr_criu_dump_stats cs;
    /* (CRIU's frozen_time of a lazy dump is not a duration: its timer
       is never started on that path; the downtime above is ours.) */
    if (fd >= 0 && hr_criu_dump_stats_read (fd, &cs, NULL) == 0)
      stats->rounds[stats->n_rounds - 1].pages = cs.pages_written + cs.pages_lazy;
  }
  ret = 0;
out:
  if (ps[0] >= 0)
    close (ps[0]);
  if (ps[1] >= 0)
    close (ps[1]);
  if (st[0] >= 0)
    close (st[0]);
  if (st[1] >= 0)
    close (st[1]);
  if (ret < 0 && relay > 0)
    kill (relay, SIGKILL); /* CRIU's page server loses its peer: the dump fails, the tasks go on */
  if (dump > 0)
    {
      hr_err e = NULL;
      reap (dump, dump_err, "the dump", &e);
      hr_error_free (&e);
    }
  if (dump_err >= 0)
    close (dump_err);
  if (relay > 0)
    {
      if (count_fd >= 0 && read (count_fd, &relayed, sizeof (relayed)) != sizeof (relayed))
        relayed = 0;
      hr_err e = NULL;
      reap (relay, -1, "the page relay", &e);
      hr_error_free (&e);
    }
  if (count_fd >= 0)
    close (count_fd);
  stats->bytes_sent += relayed;
  return ret;
}

static int
migrate (struct source *s, const struct hr_mig_key *key, struct hr_migrate_stats *stats, double *t_frozen,
         hr_err *err)
{
  struct hr_mig_msg m;
  uint32_t flags = (s->opts->tcp_established ? HR_MIG_F_TCP_ESTABLISHED : 0)
                   | (s->opts->sync_rootfs ? HR_MIG_F_SYNC_ROOTFS : 0);
  unsigned timeout_ms = (s->opts->timeout_s ? s->opts->timeout_s : 30) * 1000u;
  const char *peer = "the target";
  char last[32] = "";

  if (hr_mig_connect (s->opts->to, key, timeout_ms, &s->chan, err) < 0
      || hr_mig_send_hello (s->chan, s->mode, flags, s->id, err) < 0
      || hr_mig_recv (s->chan, HR_MIG_BIT (HR_MIG_READY), s->buf, &m, peer, err) < 0)
    return -1;
  /* From here we may be silent for long (CRIU dumps): PING meanwhile. */
  if (hr_mig_keepalive_start (s->chan, timeout_ms / 3, &s->keepalive, err) < 0)
    return -1;
  if (s->mode == HR_MIG_POST_COPY)
    {
      /* The page channel first: the target accepts it right after READY. */
      if (!m.has_token)
        return hr_error_plain (err, EPROTO, "the target did not accept a post-copy migration");
      if (hr_mig_connect (s->opts->to, key, timeout_ms, &s->data, err) < 0
          || hr_mig_send (s->data, HR_MIG_JOIN, m.token, HR_MIG_TOKEN_LEN, NULL, 0, err) < 0)
        return hr_error_wrap (err, "post-copy page channel");
    }
  if (m.flags & HR_MIG_R_SEND_ROOTFS)
    {
      hr_debug ("sending the rootfs %s", s->rootfs);
      if (hr_mig_send_rootfs (s->chan, s->rootfs, err) < 0)
        return hr_error_wrap (err, "send the rootfs");
    }
  if (s->mode == HR_MIG_POST_COPY)
    return post_copy (s, &m, stats, t_frozen, err);
  if (s->mode == HR_MIG_PRE_COPY && pre_copy (s, last, sizeof (last), stats, err) < 0)
    return -1;

  /* Downtime starts here: the container stops running on the source. */
  *t_frozen = now_ms ();
  if (final_dump (s, last[0] ? last : NULL, stats, err) < 0)
    return -1;
  double t_sent = now_ms ();
  if (hr_mig_send_restore (s->chan, flags, "final", err) < 0)
    return -1;
  if (hr_mig_recv (s->chan, HR_MIG_BIT (HR_MIG_RUNNING), s->buf, &m, peer, err) < 0)
    return hr_error_wrap (err, "restore on the target");
  double t_end = now_ms ();
  stats->downtime_ms = t_end - *t_frozen;
  stats->restore_ms = t_end - t_sent;
  stats->send_ms = t_sent - s->t_dumped;
  stats->dump_ms = s->t_dumped - *t_frozen;
  hr_debug ("container %s runs on %s as pid %u", s->id, s->opts->to, m.pid);
  return commit (s, err);
}

/* The migration process: everything that talks to the target. */
static int
source_body (void *arg, void *result, hr_err *err)
{
  struct source *s = arg;
  struct hr_migrate_stats *stats = result;
  double t_frozen = 0;

  hr_mig_catch_signals ();
  int r = migrate (s, s->key, stats, &t_frozen, err);
  hr_mig_keepalive_stop (s->keepalive);
  s->keepalive = NULL;
  if (r < 0)
    {
      /* Tell the target why (it removes what it received), then take the
         container back here. */
      if (s->chan && hr_error_errno (*err) != EREMOTEIO)
        hr_mig_send_error (s->chan, (*err)->msg);
      hr_mig_closep (&s->chan);
      hr_mig_closep (&s->data);
      take_back (s, err);
      /* (also the supervisor's job, unless it was the one killed) */
      hr_mig_workdir_remove (s->workdir);
      return -1;
    }
  stats->bytes_sent += hr_mig_bytes_sent (s->chan);
  hr_mig_closep (&s->chan);
  /* It runs on the target: only now does it go from here. */
  if (!s->dumped_away && hr_container_delete (s->ctx, s->id, true, err) < 0)
    return hr_error_wrap (err, "the container runs on %s, but removing it here failed", s->opts->to);
  s->progress |= SRC_REMOVED;
  hr_mig_progress (s->progress);
  hr_mig_workdir_remove (s->workdir);
  return 0;
}

/* The migration process died (killed): undo what it got to. */
static void
source_recover (void *arg, int progress, hr_err *err)
{
  struct source *s = arg;
  hr_err e = NULL;

  if (progress & SRC_RUNS_THERE)
    {
      if (!(progress & (SRC_REMOVED | SRC_DUMPED_AWAY)) && hr_container_delete (s->ctx, s->id, true, &e) < 0)
        {
          hr_error_wrap (err, "the container runs on %s; removing it here failed (%s)", s->opts->to, e->msg);
          hr_error_free (&e);
          return;
        }
      hr_error_wrap (err, "the container runs on %s and is gone here", s->opts->to);
      return;
    }
  s->paused = (progress & SRC_PAUSED) != 0;
  s->dumped_away = (progress & SRC_DUMPED_AWAY) != 0;
  s->uncertain = (progress & SRC_REPORTED) != 0;
  take_back (s, err);
}

int
hr_container_migrate (struct hr_context *ctx, const char *id, const struct hr_migrate_opts *opts,
                      struct hr_migrate_stats *stats, hr_err *err)
{
  struct source *s = NULL;
  struct hr_mig_key key = { 0 };
  double t0 = now_ms ();
  int mode = hr_mig_mode_parse (opts->mode), ret = -1;
  _cleanup_close_ int rootfd = -1;

  memset (stats, 0, sizeof (*stats));
  if (mode < 0)
    return hr_error_plain (err, EINVAL, "unknown --mode %s: stop-copy, pre-copy or post-copy", opts->mode);
  if (opts->to == NULL || *opts->to == '\0')
    return hr_error_plain (err, EINVAL, "--to ADDR:PORT is required");
  if (opts->key_file == NULL || *opts->key_file == '\0')
    return hr_error_plain (err, EINVAL, "--key FILE is required");
  if (opts->max_rounds > HR_MIGRATE_MAX_ROUNDS)
    return hr_error_plain (err, EINVAL, "--max-rounds %u: at most %d", opts->max_rounds, HR_MIGRATE_MAX_ROUNDS);
  /* Post-copy keeps the source frozen with leave-running until the
     target has every page; established connections need the dump to end
     the tasks in TCP repair (migrate.c's header). */
  if (mode == HR_MIG_POST_COPY && opts->tcp_established)
    return hr_error_plain (err, EINVAL, "--tcp-established cannot be used with --mode post-copy: use stop-copy or "
                                        "pre-copy");
  if (mode == HR_MIG_POST_COPY && hr_criu_lazy_pages_usable (err) < 0)
    return hr_error_wrap (err, "--mode post-copy");
  {
    struct sockaddr_storage sa;
    socklen_t len;
    if (hr_mig_parse_addr (opts->to, &sa, &len, err) < 0)
      return hr_error_wrap (err, "--to");
  }
  if (hr_mig_key_load (opts->key_file, &key, err) < 0)
    return -1;

  s = xmalloc0 (sizeof (*s));
  s->ctx = ctx;
  s->id = id;
  s->opts = opts;
  s->key = &key;
  s->mode = (enum hr_mig_mode) mode;
  s->workfd = -1;
  rootfd = hr_state_root_open (ctx, &s->root, err);
  if (rootfd < 0 || source_check (s, err) < 0
      || hr_mig_workdir_create (s->root, id, &s->workdir, &s->workfd, err) < 0)
    goto out;
  hr_mig_catch_signals ();
  if (hr_mig_supervise (source_body, source_recover, s, stats, sizeof (*stats), err) < 0)
    goto out;
  ret = 0;
out:
  if (s->workfd >= 0)
    close (s->workfd);
  hr_mig_workdir_remove (s->workdir);
  free (s->workdir);
  free (s->root);
  free (s->bundle);
  free (s->rootfs);
  free (s);
  hr_mig_key_clear (&key);
  stats->mode = hr_mig_mode_name ((enum hr_mig_mode) mode);
  stats->total_ms = now_ms () - t0;
  return ret;
}
