// berth-nsexec --serve: one long-lived process that runs healthcheck probes for berthd, so that a
// probe costs the daemon a few bytes on a pipe instead of a spawn, three pipes with their streams, a
// SIGCHLD and a reap (see src/host/probe-server.ts for the daemon's side and why).
//
// Each probe is an ordinary berth-nsexec run (this same program, re-executed from the sealed copy it
// runs from), with its output and log read here: the process's stdout and stderr go to one pipe (a
// probe's output is both streams together, as Docker keeps it), the helper's log (descriptor 4: the
// `{"pid":N}` line, or runc-style error lines) to another. At the probe's timeout the process (or,
// before its PID is known, the helper) is killed with SIGKILL.
//
// Frames, both ways: a 4-byte little-endian length, then that many bytes.
//   request:  ID \0 TIMEOUT_MS \0 NARGS \0 ARG... \0 NENV \0 ENV... \0
//   response: ID \0 CODE \0 SIGNAL \0 PID \0 TIMED_OUT \0 LOG_LEN \0 OUT_LEN \0 LOG bytes OUT bytes
// CODE is the helper's exit status (-1 when a signal ended it; SIGNAL then says which). OUT holds at
// most OUT_CAP bytes (what berthd keeps of a probe); the rest is read and dropped so the process
// never blocks on a full pipe. Responses are written together when several are ready, so a batch of
// probes that started together usually costs berthd one read. The server ends when its stdin ends
// (berthd closed it or died; PR_SET_PDEATHSIG covers a berthd killed outright).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define OUT_CAP 8192
#define LOG_CAP 4096
#define MAX_PROBES 512
#define MAX_FRAME (1 << 20)
// After a timeout's kill, how long the pipes may stay open (a background child holding them).
#define GRACE_MS 500
// How long a finished probe's response may wait for others still running, to go out in one write.
#define LINGER_MS 5

typedef struct {
  int used;
  char id[96];
  pid_t helper;
  int out, log;
  char outbuf[OUT_CAP];
  size_t outlen;
  char logbuf[LOG_CAP];
  size_t loglen;
  int exited, status;
  int pid; // the process's PID once the helper reported it
  int timed_out;
  long long deadline, grace_end;
} probe_t;

static probe_t probes[MAX_PROBES];
static char *pending; // responses not yet written
static size_t pending_len, pending_cap;
static long long pending_since = -1;

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void append(const void *p, size_t n) {
  if (pending_len + n > pending_cap) {
    size_t cap = pending_cap ? pending_cap : 65536;
    while (cap < pending_len + n) cap *= 2;
    char *b = realloc(pending, cap);
    if (!b) _exit(3);
    pending = b;
    pending_cap = cap;
  }
  memcpy(pending + pending_len, p, n);
  pending_len += n;
}

static void flush_pending(void) {
  size_t off = 0;
  while (off < pending_len) {
    ssize_t n = write(1, pending + off, pending_len - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) _exit(0); // berthd gone: nothing more to do
    off += (size_t)n;
  }
  pending_len = 0;
  pending_since = -1;
}

static void respond(const char *id, int code, int sig, int pid, int timed_out, const char *log, size_t loglen, const char *out, size_t outlen) {
  char head[256];
  int h = snprintf(head, sizeof head, "%s%c%d%c%d%c%d%c%d%c%zu%c%zu%c", id, 0, code, 0, sig, 0, pid, 0, timed_out, 0, loglen, 0, outlen, 0);
  uint32_t len = (uint32_t)((size_t)h + loglen + outlen);
  unsigned char le[4] = {(unsigned char)len, (unsigned char)(len >> 8), (unsigned char)(len >> 16), (unsigned char)(len >> 24)};
  append(le, 4);
  append(head, (size_t)h);
  append(log, loglen);
  append(out, outlen);
  if (pending_since < 0) pending_since = now_ms();
}

static void close_fd(int *fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

static void finish(probe_t *p) {
  int code = -1, sig = 0;
  if (WIFEXITED(p->status)) code = WEXITSTATUS(p->status);
  else if (WIFSIGNALED(p->status)) sig = WTERMSIG(p->status);
  respond(p->id, code, sig, p->pid, p->timed_out, p->logbuf, p->loglen, p->outbuf, p->outlen);
  close_fd(&p->out);
  close_fd(&p->log);
  p->used = 0;
}

// A probe that could not even be started: answered at once, as the helper would have (255, a log line).
static void refuse(const char *id, const char *why) {
  char line[512];
  int n = snprintf(line, sizeof line, "{\"level\":\"error\",\"msg\":\"nsexec: %s\"}\n", why);
  respond(id, 255, 0, 0, 0, line, (size_t)n, "", 0);
}

static void start_probe(char *body, size_t len) {
  // Split the frame into its NUL-terminated fields.
  char *fields[4096];
  size_t nf = 0;
  size_t i = 0;
  while (i < len && nf < sizeof fields / sizeof *fields) {
    fields[nf++] = body + i;
    char *z = memchr(body + i, 0, len - i);
    if (!z) return; // malformed: no answer can name it
    i = (size_t)(z - body) + 1;
  }
  if (nf < 3) return;
  const char *id = fields[0];
  long timeout = atol(fields[1]);
  size_t nargs = (size_t)atol(fields[2]);
  if (3 + nargs >= nf) return refuse(id, "malformed probe request");
  size_t nenv = (size_t)atol(fields[3 + nargs]);
  if (4 + nargs + nenv > nf) return refuse(id, "malformed probe request");
  probe_t *p = NULL;
  for (int k = 0; k < MAX_PROBES; k++)
    if (!probes[k].used) {
      p = &probes[k];
      break;
    }
  if (!p) return refuse(id, "too many probes at once");
  char *argv[nargs + 2];
  argv[0] = "berth-nsexec";
  for (size_t k = 0; k < nargs; k++) argv[k + 1] = fields[3 + k];
  argv[nargs + 1] = NULL;
  char *envp[nenv + 1];
  for (size_t k = 0; k < nenv; k++) envp[k] = fields[4 + nargs + k];
  envp[nenv] = NULL;

  int outp[2], logp[2];
  if (pipe2(outp, O_CLOEXEC) < 0) return refuse(id, "pipe failed");
  if (pipe2(logp, O_CLOEXEC) < 0) {
    close(outp[0]);
    close(outp[1]);
    return refuse(id, "pipe failed");
  }
  pid_t pid = fork();
  if (pid < 0) {
    close(outp[0]), close(outp[1]), close(logp[0]), close(logp[1]);
    return refuse(id, "fork failed");
  }
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    // Descriptors as berthd gives them to a direct run: 0 and 3 /dev/null, 1 and 2 the output, 4 the log.
    int from[5] = {null, outp[1], outp[1], null, logp[1]};
    // Move the sources above 4 first so no dup2 overwrites one still needed.
    for (int k = 0; k < 5; k++) {
      int h = fcntl(from[k], F_DUPFD, 10);
      if (h < 0) _exit(255);
      for (int j = k + 1; j < 5; j++)
        if (from[j] == from[k]) from[j] = h;
      from[k] = h;
    }
    for (int k = 0; k < 5; k++)
      if (dup2(from[k], k) < 0) _exit(255);
    syscall(SYS_close_range, 5, ~0U, 0);
    execve("/proc/self/exe", argv, envp);
    dprintf(4, "{\"level\":\"error\",\"msg\":\"nsexec: exec of the helper failed: %s\"}\n", strerror(errno));
    _exit(255);
  }
  close(outp[1]);
  close(logp[1]);
  fcntl(outp[0], F_SETFL, O_NONBLOCK);
  fcntl(logp[0], F_SETFL, O_NONBLOCK);
  memset(p, 0, offsetof(probe_t, outbuf));
  p->used = 1;
  snprintf(p->id, sizeof p->id, "%s", id);
  p->helper = pid;
  p->out = outp[0];
  p->log = logp[0];
  p->outlen = p->loglen = 0;
  p->exited = 0;
  p->pid = 0;
  p->timed_out = 0;
  p->deadline = timeout > 0 ? now_ms() + timeout : -1;
  p->grace_end = -1;
}

// Reads what a pipe has; at its end (or an error) closes it.
static void drain(probe_t *p, int is_log) {
  int *fd = is_log ? &p->log : &p->out;
  char *buf = is_log ? p->logbuf : p->outbuf;
  size_t *len = is_log ? &p->loglen : &p->outlen;
  size_t cap = is_log ? LOG_CAP : OUT_CAP;
  char sink[16384];
  for (;;) {
    ssize_t n;
    if (*len < cap) n = read(*fd, buf + *len, cap - *len);
    else n = read(*fd, sink, sizeof sink);
    if (n > 0) {
      if (*len < cap) *len += (size_t)n;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) break;
    close_fd(fd);
    break;
  }
  if (is_log && !p->pid) {
    char *m = memmem(p->logbuf, p->loglen, "{\"pid\":", 7);
    if (m) p->pid = atoi(m + 7);
  }
}

static void reap(void) {
  for (;;) {
    int status;
    pid_t r = waitpid(-1, &status, WNOHANG);
    if (r <= 0) return;
    for (int k = 0; k < MAX_PROBES; k++)
      if (probes[k].used && probes[k].helper == r) {
        probes[k].exited = 1;
        probes[k].status = status;
        // The helper is gone; pipes still open belong to something the process left behind, which
        // may hold them until the probe's timeout (as a direct exec's output would wait for it).
        if (probes[k].grace_end < 0) probes[k].grace_end = probes[k].deadline > 0 ? probes[k].deadline : now_ms() + GRACE_MS;
      }
  }
}

int nsexec_serve(void) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() == 1) return 0;
  signal(SIGPIPE, SIG_IGN);
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, NULL);
  int sfd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
  if (sfd < 0) return 2;
  fcntl(0, F_SETFL, O_NONBLOCK);
  char *in = malloc(MAX_FRAME + 4);
  size_t inlen = 0;
  int in_open = 1;
  struct pollfd fds[2 + 2 * MAX_PROBES];
  probe_t *owner[2 + 2 * MAX_PROBES];
  int is_log[2 + 2 * MAX_PROBES];
  while (in_open) {
    long long now = now_ms();
    int running = 0;
    long long wake = -1;
    for (int k = 0; k < MAX_PROBES; k++) {
      probe_t *p = &probes[k];
      if (!p->used) continue;
      if (p->deadline > 0 && !p->timed_out && !p->exited && now >= p->deadline) {
        p->timed_out = 1;
        kill(p->pid > 0 ? p->pid : p->helper, SIGKILL);
        if (p->pid > 0) kill(p->helper, SIGKILL);
        p->grace_end = now + GRACE_MS;
      }
      if (p->exited && p->grace_end >= 0 && now >= p->grace_end) {
        close_fd(&p->out);
        close_fd(&p->log);
      }
      if (p->exited && p->out < 0 && p->log < 0) {
        finish(p);
        continue;
      }
      running++;
      // What to wake for: the timeout, or the end of the grace for pipes left open. A helper killed
      // at its timeout but not yet gone (stuck in the kernel) is waited for by its SIGCHLD alone.
      long long t = -1;
      if (!p->timed_out && !p->exited) t = p->deadline;
      else if (p->grace_end > now) t = p->grace_end;
      if (t >= 0 && (wake < 0 || t < wake)) wake = t;
    }
    if (pending_len && (running == 0 || now - pending_since >= LINGER_MS)) flush_pending();
    if (pending_len) {
      long long t = pending_since + LINGER_MS;
      if (wake < 0 || t < wake) wake = t;
    }
    int n = 0;
    fds[n] = (struct pollfd){.fd = 0, .events = POLLIN};
    owner[n++] = NULL;
    fds[n] = (struct pollfd){.fd = sfd, .events = POLLIN};
    owner[n++] = NULL;
    for (int k = 0; k < MAX_PROBES; k++) {
      probe_t *p = &probes[k];
      if (!p->used) continue;
      if (p->out >= 0) {
        fds[n] = (struct pollfd){.fd = p->out, .events = POLLIN};
        owner[n] = p, is_log[n++] = 0;
      }
      if (p->log >= 0) {
        fds[n] = (struct pollfd){.fd = p->log, .events = POLLIN};
        owner[n] = p, is_log[n++] = 1;
      }
    }
    int timeout = wake < 0 ? -1 : (int)(wake > now ? wake - now : 0);
    int r = poll(fds, (nfds_t)n, timeout);
    if (r < 0 && errno != EINTR) return 2;
    if (r <= 0) continue;
    for (int k = 2; k < n; k++)
      if (fds[k].revents) drain(owner[k], is_log[k]);
    if (fds[1].revents) {
      struct signalfd_siginfo si;
      while (read(sfd, &si, sizeof si) == sizeof si) {
      }
      reap();
    }
    if (fds[0].revents) {
      for (;;) {
        ssize_t got = read(0, in + inlen, MAX_FRAME + 4 - inlen);
        if (got > 0) {
          inlen += (size_t)got;
          continue;
        }
        if (got < 0 && errno == EINTR) continue;
        if (got == 0 || (got < 0 && errno != EAGAIN)) in_open = 0;
        break;
      }
      size_t off = 0;
      while (inlen - off >= 4) {
        unsigned char *b = (unsigned char *)in + off;
        uint32_t len = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
        if (len > MAX_FRAME) return 2; // not berthd talking
        if (inlen - off - 4 < len) break;
        start_probe(in + off + 4, len);
        off += 4 + len;
      }
      memmove(in, in + off, inlen - off);
      inlen -= off;
    }
  }
  flush_pending();
  return 0;
}
