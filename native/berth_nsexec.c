// berth-nsexec: runs one process without a terminal inside a running container, the way `runc exec`
// does, for the exec path where runc's cost is all start-up: two Go runtimes (runc, then `runc init`)
// at ~15 ms each on this class of machine, against ~1 ms for this program. berthd uses it only for a
// process spec it can do completely (no terminal, no AppArmor/SELinux label, no seccomp, no user
// namespace: see src/lib/oci/nsexec-plan.ts); anything else goes to runc.
//
// What it does, in runc's order:
//   1. Re-executes itself from a sealed memfd unless already running from one. The process that
//      ends up inside the container has /proc/PID/exe pointing at this program; a sealed copy cannot
//      be written through that link (CVE-2019-5736), the same protection runc gives its own binary.
//   2. Checks that the container's init is still the process runc recorded (PID and start time from
//      runc's state.json), so a reused PID never leads into someone else's namespaces.
//   3. Joins the init's PID namespace (for its child), forks; the child joins the container's cgroups,
//      its session keyring, then its other namespaces (mount last), applies rlimits, the bounding set,
//      groups/gid/uid, the working directory, capabilities, no_new_privs, and execs the program found
//      in the process's own PATH.
//   4. The parent (outside the container) learns through a close-on-exec pipe whether the exec
//      happened, then reports the PID on descriptor 4 as a line `{"pid":N}` (and in a PID file, as
//      runc does, when asked), forwards signals, and exits with the process's status (128+N for
//      signal N). A failure before the exec is reported on descriptor 4 instead, as one JSON log line
//      in runc's words, and the exit status is 255.
//
// Usage: berth-nsexec --pid PID --start TICKS --id CONTAINER [--ns ipc,uts,net,pid,mnt,cgroup]
//   [--cgroup DIR]... [--rlimit RES:SOFT:HARD]... [--uid N] [--gid N] [--groups a,b]
//   [--caps BOUNDING:EFFECTIVE:PERMITTED:INHERITABLE:AMBIENT (hex)] [--no-new-privs] [--no-keyring]
//   [--cwd DIR] [--pid-file PATH] -- ARGV...
//        berth-nsexec --serve   (healthcheck probes for berthd: berth_nsexec_serve.c)
// The process's environment is this program's own environment.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_RAISE 2
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif
#ifndef F_ADD_SEALS
#define F_ADD_SEALS 1033
#define F_GET_SEALS 1034
#define F_SEAL_SEAL 0x0001
#define F_SEAL_SHRINK 0x0002
#define F_SEAL_GROW 0x0004
#define F_SEAL_WRITE 0x0008
#endif
#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)
#define KEYCTL_JOIN_SESSION_KEYRING 1
#define LOG_FD 4
#define MAX_LIST 64

extern char **environ;

static void json_escaped(FILE *f, const char *s) {
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
    else if (c < 0x20) fprintf(f, "\\u%04x", c);
    else fputc(c, f);
  }
}

// A failure before the process ran: one runc-style JSON log line on LOG_FD (when open), exit 255.
static void __attribute__((noreturn)) fail(const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  FILE *f = fcntl(LOG_FD, F_GETFD) >= 0 ? fdopen(LOG_FD, "w") : NULL;
  if (!f) f = stderr;
  fputs("{\"level\":\"error\",\"msg\":\"", f);
  json_escaped(f, msg);
  fputs("\"}\n", f);
  fflush(f);
  _exit(255);
}

// Go's error texts are strerror's, lower-cased ("no such file or directory").
static const char *err_text(int e) {
  static char buf[128];
  snprintf(buf, sizeof buf, "%s", strerror(e));
  if (buf[0] >= 'A' && buf[0] <= 'Z') buf[0] = (char)(buf[0] - 'A' + 'a');
  return buf;
}

// Step 1: run from a sealed memfd copy of this program.
static void ensure_sealed_self(char **argv) {
  int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  if (self < 0) fail("nsexec: open /proc/self/exe: %s", err_text(errno));
  int seals = fcntl(self, F_GET_SEALS);
  if (seals >= 0 && (seals & SEALS) == SEALS) {
    close(self);
    return;
  }
  struct stat st;
  if (fstat(self, &st) < 0) fail("nsexec: stat /proc/self/exe: %s", err_text(errno));
  int mfd = (int)syscall(SYS_memfd_create, "berth-nsexec", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (mfd < 0) fail("nsexec: memfd_create: %s", err_text(errno));
  off_t off = 0;
  while (off < st.st_size) {
    ssize_t n = sendfile(mfd, self, &off, (size_t)(st.st_size - off));
    if (n <= 0) fail("nsexec: copying itself: %s", err_text(n < 0 ? errno : EIO));
  }
  close(self);
  if (fcntl(mfd, F_ADD_SEALS, SEALS) < 0) fail("nsexec: sealing its copy: %s", err_text(errno));
  fexecve(mfd, argv, environ);
  fail("nsexec: fexecve: %s", err_text(errno));
}

typedef struct {
  int pid;
  unsigned long long start;
  const char *id;
  char *ns[8];
  int nns;
  const char *cgroups[MAX_LIST];
  int ncgroups;
  struct {
    int res;
    rlim_t soft, hard;
  } rlimits[MAX_LIST];
  int nrlimits;
  uid_t uid;
  gid_t gid;
  gid_t groups[MAX_LIST];
  int ngroups;
  int have_caps;
  uint64_t bounding, effective, permitted, inheritable, ambient;
  int no_new_privs, no_keyring;
  const char *cwd, *pid_file;
  char **argv;
} opts_t;

static unsigned long long parse_ull(const char *s, int base, const char *what) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, base);
  if (errno || end == s || *end) fail("nsexec: bad %s %s", what, s);
  return v;
}

static rlim_t parse_rlim(const char *s) {
  return strcmp(s, "-1") == 0 || strcmp(s, "unlimited") == 0 ? RLIM_INFINITY : (rlim_t)parse_ull(s, 10, "rlimit");
}

static void parse(int argc, char **argv, opts_t *o) {
  memset(o, 0, sizeof *o);
  o->pid = -1;
  int i = 1;
  for (; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--") == 0) {
      i++;
      break;
    }
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--no-new-privs") == 0) {
      o->no_new_privs = 1;
      continue;
    }
    if (strcmp(a, "--no-keyring") == 0) {
      o->no_keyring = 1;
      continue;
    }
    if (!v) fail("nsexec: %s needs a value", a);
    i++;
    if (strcmp(a, "--pid") == 0) o->pid = (int)parse_ull(v, 10, "pid");
    else if (strcmp(a, "--start") == 0) o->start = parse_ull(v, 10, "start time");
    else if (strcmp(a, "--id") == 0) o->id = v;
    else if (strcmp(a, "--ns") == 0) {
      char *list = strdup(v);
      for (char *t = strtok(list, ","); t && o->nns < 8; t = strtok(NULL, ",")) o->ns[o->nns++] = t;
    } else if (strcmp(a, "--cgroup") == 0) {
      if (o->ncgroups == MAX_LIST) fail("nsexec: too many cgroups");
      o->cgroups[o->ncgroups++] = v;
    } else if (strcmp(a, "--rlimit") == 0) {
      if (o->nrlimits == MAX_LIST) fail("nsexec: too many rlimits");
      char *copy = strdup(v), *res = strtok(copy, ":"), *soft = strtok(NULL, ":"), *hard = strtok(NULL, ":");
      if (!res || !soft || !hard) fail("nsexec: bad rlimit %s", v);
      o->rlimits[o->nrlimits].res = (int)parse_ull(res, 10, "rlimit");
      o->rlimits[o->nrlimits].soft = parse_rlim(soft);
      o->rlimits[o->nrlimits].hard = parse_rlim(hard);
      o->nrlimits++;
    } else if (strcmp(a, "--uid") == 0) o->uid = (uid_t)parse_ull(v, 10, "uid");
    else if (strcmp(a, "--gid") == 0) o->gid = (gid_t)parse_ull(v, 10, "gid");
    else if (strcmp(a, "--groups") == 0) {
      char *list = strdup(v);
      for (char *t = strtok(list, ","); t; t = strtok(NULL, ",")) {
        if (o->ngroups == MAX_LIST) fail("nsexec: too many groups");
        o->groups[o->ngroups++] = (gid_t)parse_ull(t, 10, "group");
      }
    } else if (strcmp(a, "--caps") == 0) {
      char *copy = strdup(v);
      uint64_t *dst[5] = {&o->bounding, &o->effective, &o->permitted, &o->inheritable, &o->ambient};
      char *t = strtok(copy, ":");
      for (int k = 0; k < 5; k++, t = strtok(NULL, ":")) {
        if (!t) fail("nsexec: bad caps %s", v);
        *dst[k] = parse_ull(t, 16, "caps");
      }
      o->have_caps = 1;
    } else if (strcmp(a, "--cwd") == 0) o->cwd = v;
    else if (strcmp(a, "--pid-file") == 0) o->pid_file = v;
    else fail("nsexec: unknown option %s", a);
  }
  if (o->pid <= 0 || !o->id) fail("nsexec: --pid and --id are required");
  if (i >= argc) fail("nsexec: no command");
  o->argv = &argv[i];
}

// Field 22 of /proc/PID/stat: the start time runc recorded as init_process_start.
static unsigned long long start_time(int pid) {
  char path[64], buf[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return 0;
  buf[n] = 0;
  char *p = strrchr(buf, ')'); // the command name may hold spaces and parentheses
  if (!p) return 0;
  p++;
  for (int field = 3; field < 22 && p; field++) p = strchr(p + 1, ' ');
  return p ? strtoull(p + 1, NULL, 10) : 0;
}

static int ns_flag(const char *name) {
  if (!strcmp(name, "ipc")) return CLONE_NEWIPC;
  if (!strcmp(name, "uts")) return CLONE_NEWUTS;
  if (!strcmp(name, "net")) return CLONE_NEWNET;
  if (!strcmp(name, "pid")) return CLONE_NEWPID;
  if (!strcmp(name, "mnt")) return CLONE_NEWNS;
  if (!strcmp(name, "cgroup")) return CLONE_NEWCGROUP;
  return 0;
}

// Go's exec.LookPath as runc uses it: a name with a slash is taken as it is, else the first
// executable regular file along PATH (the process's own environment).
static const char *look_path(const char *name, char *buf, size_t len) {
  struct stat st;
  if (strchr(name, '/')) {
    if (stat(name, &st) < 0) fail("exec failed: unable to start container process: exec: \"%s\": stat %s: %s", name, name, err_text(errno));
    if (S_ISDIR(st.st_mode) || !(st.st_mode & 0111)) fail("exec failed: unable to start container process: exec: \"%s\": permission denied", name);
    return name;
  }
  const char *path = getenv("PATH");
  if (path) {
    const char *p = path;
    for (;;) {
      const char *end = strchr(p, ':');
      size_t n = end ? (size_t)(end - p) : strlen(p);
      if (n == 0) snprintf(buf, len, "./%s", name);
      else snprintf(buf, len, "%.*s/%s", (int)n, p, name);
      if (stat(buf, &st) == 0 && !S_ISDIR(st.st_mode) && (st.st_mode & 0111)) return buf;
      if (!end) break;
      p = end + 1;
    }
  }
  fail("exec failed: unable to start container process: exec: \"%s\": executable file not found in $PATH", name);
}

// runc sets HOME, when the process's environment lacks it, to the user's home in the container's
// /etc/passwd, or "/".
static void set_home(uid_t uid) {
  if (getenv("HOME")) return;
  char home[PATH_MAX] = "/";
  // The container's file, read as root: only a regular file of sane size (a FIFO there would block
  // the open for ever, a link to /dev/zero the read), and never more than its size at the open.
  FILE *f = NULL;
  off_t budget = 0;
  int fd = open("/etc/passwd", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd >= 0) {
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= (off_t)4 << 20 && (f = fdopen(fd, "r"))) budget = st.st_size;
    else close(fd);
  }
  if (f) {
    char line[1024];
    while (budget > 0 && fgets(line, sizeof line, f)) {
      budget -= (off_t)strlen(line) + 1;
      line[strcspn(line, "\n")] = 0;
      // name:password:uid:gid:gecos:home:shell
      char *fields[7] = {0};
      int n = 0;
      for (char *p = line; n < 7; n++) {
        fields[n] = p;
        char *c = strchr(p, ':');
        if (!c) {
          n++;
          break;
        }
        *c = 0;
        p = c + 1;
      }
      if (n < 6 || !fields[2][0]) continue;
      char *end;
      unsigned long u = strtoul(fields[2], &end, 10);
      if (*end || u != uid) continue;
      if (fields[5][0]) snprintf(home, sizeof home, "%s", fields[5]);
      break;
    }
    fclose(f);
  }
  setenv("HOME", home, 1);
}

static int cap_last(void) {
  int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
  char buf[16] = {0};
  int last = CAP_LAST_CAP;
  if (fd >= 0) {
    if (read(fd, buf, sizeof buf - 1) > 0) last = atoi(buf);
    close(fd);
  }
  return last;
}

// The child: everything from the cgroups to the exec. Any failure is reported by fail() on the error
// pipe (which the parent relays), since the child's LOG_FD is the pipe's write end.
static void __attribute__((noreturn)) child(opts_t *o, int *nsfds, int last_cap) {
  // Nothing of berthd's or of this program's reaches the process but its stdio.
  syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
  for (int i = 0; i < o->ncgroups; i++) {
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/cgroup.procs", o->cgroups[i]);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, "0", 1) != 1) fail("exec failed: unable to start container process: joining cgroup %s: %s", o->cgroups[i], err_text(errno));
    close(fd);
  }
  // A session keyring of the container's, not berthd's (runc's "_ses.<id>").
  if (!o->no_keyring) {
    char ring[300];
    snprintf(ring, sizeof ring, "_ses.%s", o->id);
    if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, ring) < 0 && errno != ENOSYS)
      fail("exec failed: unable to start container process: unable to join session keyring: %s", err_text(errno));
  }
  // Namespaces in the order runc joins them; the mount namespace last, since the paths above are the host's.
  static const char *order[] = {"cgroup", "ipc", "uts", "net", "mnt"};
  for (size_t k = 0; k < sizeof order / sizeof *order; k++) {
    for (int i = 0; i < o->nns; i++) {
      if (strcmp(o->ns[i], order[k]) || nsfds[i] < 0) continue;
      if (setns(nsfds[i], ns_flag(o->ns[i])) < 0) fail("exec failed: unable to start container process: setns %s: %s", o->ns[i], err_text(errno));
      close(nsfds[i]);
    }
  }
  set_home(o->uid);
  for (int i = 0; i < o->nrlimits; i++) {
    struct rlimit rl = {o->rlimits[i].soft, o->rlimits[i].hard};
    if (setrlimit(o->rlimits[i].res, &rl) < 0) fail("exec failed: unable to start container process: error setting rlimit type %d: %s", o->rlimits[i].res, err_text(errno));
  }
  if (o->have_caps) {
    for (int c = 0; c <= last_cap; c++) {
      if (c < 64 && (o->bounding >> c) & 1) continue;
      if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
        fail("exec failed: unable to start container process: dropping bounding capability %d: %s", c, err_text(errno));
    }
  }
  if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) fail("exec failed: unable to start container process: keepcaps: %s", err_text(errno));
  if (setgroups((size_t)o->ngroups, o->groups) < 0) fail("exec failed: unable to start container process: setgroups: %s", err_text(errno));
  if (setresgid(o->gid, o->gid, o->gid) < 0) fail("exec failed: unable to start container process: setgid: %s", err_text(errno));
  if (setresuid(o->uid, o->uid, o->uid) < 0) fail("exec failed: unable to start container process: setuid: %s", err_text(errno));
  if (o->cwd && chdir(o->cwd) < 0)
    fail("exec failed: unable to start container process: chdir to cwd (\"%s\") set in config.json failed: %s", o->cwd, err_text(errno));
  prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
  if (o->have_caps) {
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2] = {
        {(uint32_t)o->effective, (uint32_t)o->permitted, (uint32_t)o->inheritable},
        {(uint32_t)(o->effective >> 32), (uint32_t)(o->permitted >> 32), (uint32_t)(o->inheritable >> 32)},
    };
    if (syscall(SYS_capset, &h, d) < 0) fail("exec failed: unable to start container process: capset: %s", err_text(errno));
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    for (int c = 0; c <= last_cap && c < 64; c++)
      if ((o->ambient >> c) & 1) prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0); // as runc: best effort
  }
  if (o->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    fail("exec failed: unable to start container process: no_new_privs: %s", err_text(errno));
  char found[PATH_MAX];
  const char *file = look_path(o->argv[0], found, sizeof found);
  execve(file, o->argv, environ);
  fail("exec failed: unable to start container process: exec: \"%s\": %s", o->argv[0], err_text(errno));
}

static volatile pid_t child_pid = 0;

static void forward(int sig) {
  if (child_pid > 0) kill(child_pid, sig);
}

static void write_pid_file(const char *path, pid_t pid) {
  char tmp[PATH_MAX], body[32];
  const char *slash = strrchr(path, '/');
  // runc's way: a dot-name beside the final one, renamed into place.
  if (slash) snprintf(tmp, sizeof tmp, "%.*s/.%s", (int)(slash - path), path, slash + 1);
  else snprintf(tmp, sizeof tmp, ".%s", path);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return;
  int n = snprintf(body, sizeof body, "%d", (int)pid);
  if (write(fd, body, (size_t)n) != n) {
    close(fd);
    unlink(tmp);
    return;
  }
  close(fd);
  rename(tmp, path);
}

// Moves a descriptor to 10 or above, so that when berthd gave no descriptor 4 (run by hand), the
// child's dup onto LOG_FD overwrites nothing of ours.
static int high_fd(int fd) {
  if (fd < 0 || fd >= 10) return fd;
  int h = fcntl(fd, F_DUPFD_CLOEXEC, 10);
  close(fd);
  return h;
}

int nsexec_serve(void); // berth_nsexec_serve.c

int main(int argc, char **argv) {
  ensure_sealed_self(argv);
  // The probe server (berth_nsexec_serve.c): runs this program once per healthcheck probe.
  if (argc == 2 && !strcmp(argv[1], "--serve")) return nsexec_serve();
  opts_t o;
  parse(argc, argv, &o);
  if (o.start && start_time(o.pid) != o.start) fail("nsexec: container init process %d is gone", o.pid);

  // Open every namespace of the init before joining any (after the mount namespace /proc is another).
  int nsfds[8];
  int pid_ns = -1;
  for (int i = 0; i < o.nns; i++) {
    if (!ns_flag(o.ns[i])) fail("nsexec: unknown namespace %s", o.ns[i]);
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/ns/%s", o.pid, o.ns[i]);
    nsfds[i] = high_fd(open(path, O_RDONLY | O_CLOEXEC));
    if (nsfds[i] < 0) fail("exec failed: unable to start container process: open %s: %s", path, err_text(errno));
    if (!strcmp(o.ns[i], "pid")) pid_ns = i;
  }
  // Checked again now that the namespaces are held: the PID cannot have been reused in between.
  if (o.start && start_time(o.pid) != o.start) fail("nsexec: container init process %d is gone", o.pid);
  if (pid_ns >= 0) {
    if (setns(nsfds[pid_ns], CLONE_NEWPID) < 0) fail("exec failed: unable to start container process: setns pid: %s", err_text(errno));
    close(nsfds[pid_ns]);
    nsfds[pid_ns] = -1;
  }
  int last_cap = cap_last();

  int errpipe[2];
  if (pipe2(errpipe, O_CLOEXEC) < 0) fail("nsexec: pipe: %s", err_text(errno));
  errpipe[0] = high_fd(errpipe[0]);
  errpipe[1] = high_fd(errpipe[1]);
  // Signals that arrive while the child starts are forwarded once it exists.
  sigset_t all, old;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, &old);
  pid_t pid = fork();
  if (pid < 0) fail("nsexec: fork: %s", err_text(errno));
  if (pid == 0) {
    sigprocmask(SIG_SETMASK, &old, NULL);
    close(errpipe[0]);
    // fail() in the child writes to LOG_FD: make that the error pipe.
    if (dup3(errpipe[1], LOG_FD, O_CLOEXEC) < 0) _exit(255);
    child(&o, nsfds, last_cap);
  }
  child_pid = pid;
  close(errpipe[1]);
  for (int i = 0; i < o.nns; i++)
    if (nsfds[i] >= 0) close(nsfds[i]);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = forward;
  sa.sa_flags = SA_RESTART;
  static const int forwarded[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT, SIGALRM};
  for (size_t i = 0; i < sizeof forwarded / sizeof *forwarded; i++) sigaction(forwarded[i], &sa, NULL);
  signal(SIGPIPE, SIG_IGN); // a log pipe berthd closed must not kill the parent before the child ends
  sigprocmask(SIG_SETMASK, &old, NULL);

  // The child's error message, or nothing when its exec closed the pipe.
  char msg[2048];
  size_t got = 0;
  for (;;) {
    ssize_t n = read(errpipe[0], msg + got, sizeof msg - 1 - got);
    if (n > 0) {
      got += (size_t)n;
      if (got == sizeof msg - 1) break;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;
  }
  close(errpipe[0]);
  if (got > 0) {
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    // Relay the child's log line as it is.
    if (write(LOG_FD, msg, got) < 0) {
      if (write(2, msg, got) < 0) {
      }
    }
    return 255;
  }
  // The process runs: its PID (as the host sees it) to berthd, as a log line of its own, and to the
  // PID file when one was asked for.
  {
    char line[64];
    int n = snprintf(line, sizeof line, "{\"pid\":%d}\n", (int)pid);
    if (write(LOG_FD, line, (size_t)n) < 0) {
      // berthd gone or no descriptor 4 (run by hand): nothing to tell
    }
  }
  if (o.pid_file) write_pid_file(o.pid_file, pid);
  int status;
  for (;;) {
    pid_t r = waitpid(pid, &status, 0);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) return 255;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 255;
}
