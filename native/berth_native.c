// berth's one native addon, for what Node does not offer:
// - mount(2) and umount2(2). Spawning mount(8)/umount(8) costs 4-5 ms a call (a process, libmount
//   reading the mount table and fstab); the system call itself a fraction of a millisecond, and every
//   container start and exit needs one.
// - pipe2(2), posix_spawn(3) and waitpid(2). Node's child_process forks, and fork copies the page
//   tables of the whole daemon: 3-4 ms per spawn at berthd's size, against ~0.3 ms for posix_spawn,
//   which glibc implements with clone(CLONE_VM|CLONE_VFORK). Used to start conmon on the start path.
// - a new network namespace kept by a bind mount (what `ip netns add` does), made on a thread of its
//   own that ends right after: unshare(2) changes the namespace of the calling thread only, so no
//   thread of Node's (the main one, the libuv pool) ever changes namespace.
// - a sealed memfd copy of a program (berth-nsexec), run through /proc/<berthd>/fd/N.
// - rtnetlink requests (encoded by src/lib/net/rtnetlink.ts) sent from inside a network namespace: a
//   container's veth wired without `ip` or `nsenter` processes. Like netnsCreate, on a thread of its
//   own that joins the namespace and ends.
// Calls that can block (mount) run on the libuv thread pool and return promises; waitpid never blocks.
// A failure rejects (or throws) an Error carrying `code` ("EBUSY"), `errno` and `syscall`, as Node's
// fs errors do.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <node_api.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sched.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <linux/netlink.h>

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  int is_umount;
  char *source, *target, *fstype, *data;
  unsigned long flags;
  int err;
} call_t;

static void free_call(call_t *c) {
  free(c->source);
  free(c->target);
  free(c->fstype);
  free(c->data);
  free(c);
}

static void execute(napi_env env, void *arg) {
  (void)env;
  call_t *c = arg;
  int r = c->is_umount ? umount2(c->target, (int)c->flags) : mount(c->source, c->target, c->fstype, c->flags, c->data);
  c->err = r == 0 ? 0 : errno;
}

// errno names for the codes these calls return (mount(2), umount2(2), netlink); others read "E<number>".
static const char *errno_name(int e) {
  switch (e) {
    case EACCES: return "EACCES";
    case EBUSY: return "EBUSY";
    case EFAULT: return "EFAULT";
    case EINVAL: return "EINVAL";
    case ELOOP: return "ELOOP";
    case EMFILE: return "EMFILE";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case ENODEV: return "ENODEV";
    case ENOENT: return "ENOENT";
    case ENOMEM: return "ENOMEM";
    case ENOTBLK: return "ENOTBLK";
    case ENOTDIR: return "ENOTDIR";
    case ENXIO: return "ENXIO";
    case EPERM: return "EPERM";
    case EROFS: return "EROFS";
    case EAGAIN: return "EAGAIN";
    case ENOSPC: return "ENOSPC";
    case EIO: return "EIO";
    case ESTALE: return "ESTALE";
    case ECHILD: return "ECHILD";
    case ESRCH: return "ESRCH";
    case E2BIG: return "E2BIG";
    case EBADF: return "EBADF";
    case EEXIST: return "EEXIST";
    case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
    case ENETUNREACH: return "ENETUNREACH";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    default: return NULL;
  }
}

// An Error shaped like Node's system errors: message "CODE: sys path: text", code, errno, syscall.
static napi_value errno_error(napi_env env, int e, const char *sys, const char *path) {
  char code[32];
  const char *name = errno_name(e);
  if (name) snprintf(code, sizeof code, "%s", name);
  else snprintf(code, sizeof code, "E%d", e);
  char text[4200];
  snprintf(text, sizeof text, "%s: %s%s%s: %s", code, sys, path ? " " : "", path ? path : "", strerror(e));
  napi_value msg, codev, err, errnov, sysv;
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &msg);
  napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &codev);
  napi_create_error(env, codev, msg, &err);
  napi_create_int32(env, -e, &errnov);
  napi_create_string_utf8(env, sys, NAPI_AUTO_LENGTH, &sysv);
  napi_set_named_property(env, err, "errno", errnov);
  napi_set_named_property(env, err, "syscall", sysv);
  return err;
}

// Settles an async call's promise: undefined when the work ran and `err` is 0, else an errno error
// (EIO when the work itself could not run), with `index` set when it is not negative.
static void settle(napi_env env, napi_deferred deferred, napi_status status, int err, const char *sys, const char *path, int index) {
  if (status == napi_ok && err == 0) {
    napi_value undef;
    napi_get_undefined(env, &undef);
    napi_resolve_deferred(env, deferred, undef);
    return;
  }
  napi_value e = errno_error(env, err ? err : EIO, sys, path);
  if (index >= 0) {
    napi_value idx;
    napi_create_int32(env, index, &idx);
    napi_set_named_property(env, e, "index", idx);
  }
  napi_reject_deferred(env, deferred, e);
}

static void complete(napi_env env, napi_status status, void *arg) {
  call_t *c = arg;
  settle(env, c->deferred, status, c->err, c->is_umount ? "umount2" : "mount", c->target, -1);
  napi_delete_async_work(env, c->work);
  free_call(c);
}

// A JS string argument as a malloc'd C string; NULL for null/undefined.
static int get_string(napi_env env, napi_value v, char **out) {
  napi_valuetype t;
  *out = NULL;
  if (napi_typeof(env, v, &t) != napi_ok) return -1;
  if (t == napi_null || t == napi_undefined) return 0;
  if (t != napi_string) return -1;
  size_t len;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) return -1;
  *out = malloc(len + 1);
  if (!*out) return -1;
  if (napi_get_value_string_utf8(env, v, *out, len + 1, &len) != napi_ok) return -1;
  if (strlen(*out) != len) return -1;  // an embedded NUL would silently cut the path
  return 0;
}

static napi_value queue(napi_env env, call_t *c) {
  napi_value promise, name;
  if (napi_create_promise(env, &c->deferred, &promise) != napi_ok) {
    free_call(c);
    napi_throw_error(env, NULL, "cannot create a promise");
    return NULL;
  }
  napi_create_string_utf8(env, c->is_umount ? "berth_umount" : "berth_mount", NAPI_AUTO_LENGTH, &name);
  napi_create_async_work(env, NULL, name, execute, complete, c, &c->work);
  napi_queue_async_work(env, c->work);
  return promise;
}

// mount(source, target, fstype, flags, data) and umount(target, flags) -> Promise<void>; the
// function's data pointer says which of the two it is.
static napi_value js_mount_call(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  void *which = NULL;
  napi_get_cb_info(env, info, &argc, argv, NULL, &which);
  int um = which != NULL;
  if (argc < (um ? 2u : 5u)) {
    napi_throw_type_error(env, NULL, um ? "umount(target, flags)" : "mount(source, target, fstype, flags, data)");
    return NULL;
  }
  call_t *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  c->is_umount = um;
  double flags = 0;
  int bad = um ? (get_string(env, argv[0], &c->target) || napi_get_value_double(env, argv[1], &flags) != napi_ok)
               : (get_string(env, argv[0], &c->source) || get_string(env, argv[1], &c->target) || get_string(env, argv[2], &c->fstype) ||
                  napi_get_value_double(env, argv[3], &flags) != napi_ok || get_string(env, argv[4], &c->data));
  if (bad || !c->target) {
    free_call(c);
    napi_throw_type_error(env, NULL, um ? "umount: bad arguments (a path without NUL, a numeric flags value)"
                                        : "mount: bad arguments (strings without NUL, a numeric flags value)");
    return NULL;
  }
  c->flags = (unsigned long)flags;
  return queue(env, c);
}

// Throws errno_error(env, e, sys, NULL).
static void throw_errno(napi_env env, int e, const char *sys) {
  napi_throw(env, errno_error(env, e, sys, NULL));
}

// pipe() -> [readFd, writeFd], both close-on-exec.
static napi_value js_pipe(napi_env env, napi_callback_info info) {
  (void)info;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) < 0) {
    throw_errno(env, errno, "pipe2");
    return NULL;
  }
  napi_value arr, r, w;
  napi_create_array_with_length(env, 2, &arr);
  napi_create_int32(env, fds[0], &r);
  napi_create_int32(env, fds[1], &w);
  napi_set_element(env, arr, 0, r);
  napi_set_element(env, arr, 1, w);
  return arr;
}

// A JS array of strings as a NULL-terminated, malloc'd vector (NULL on bad input).
static char **get_string_array(napi_env env, napi_value v) {
  bool is_array = false;
  uint32_t n = 0;
  if (napi_is_array(env, v, &is_array) != napi_ok || !is_array) return NULL;
  napi_get_array_length(env, v, &n);
  char **out = calloc(n + 1, sizeof *out);
  if (!out) return NULL;
  for (uint32_t i = 0; i < n; i++) {
    napi_value e;
    if (napi_get_element(env, v, i, &e) != napi_ok || get_string(env, e, &out[i]) || !out[i]) {
      for (uint32_t j = 0; j <= i; j++) free(out[j]);
      free(out);
      return NULL;
    }
  }
  return out;
}

static void free_string_array(char **a) {
  if (!a) return;
  for (char **p = a; *p; p++) free(*p);
  free(a);
}

// spawn(file, argv, envp, cwd, fds) -> pid. fds[i] is the parent's descriptor that becomes descriptor i
// in the child (-1: /dev/null); every other descriptor stays behind (Node opens all of its own with
// close-on-exec). Signal dispositions are reset and the mask cleared, as child_process does.
static napi_value js_spawn(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 5) {
    napi_throw_type_error(env, NULL, "spawn(file, argv, envp, cwd, fds)");
    return NULL;
  }
  char *file = NULL, *cwd = NULL;
  char **args = NULL, **envp = NULL;
  int map[16], nmap = 0, dups[16], ndups = 0;
  napi_value result = NULL;
  bool is_array = false;
  uint32_t n = 0;
  if (get_string(env, argv[0], &file) || !file || !(args = get_string_array(env, argv[1])) || !(envp = get_string_array(env, argv[2])) ||
      get_string(env, argv[3], &cwd) || napi_is_array(env, argv[4], &is_array) != napi_ok || !is_array) {
    napi_throw_type_error(env, NULL, "spawn: bad arguments");
    goto out;
  }
  napi_get_array_length(env, argv[4], &n);
  if (n > 16) {
    napi_throw_range_error(env, NULL, "spawn: at most 16 descriptors");
    goto out;
  }
  for (uint32_t i = 0; i < n; i++) {
    napi_value e;
    int32_t fd;
    napi_get_element(env, argv[4], i, &e);
    if (napi_get_value_int32(env, e, &fd) != napi_ok) {
      napi_throw_type_error(env, NULL, "spawn: fds must be numbers");
      goto out;
    }
    map[nmap++] = fd;
  }
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&fa);
  posix_spawnattr_init(&attr);
  // A source descriptor below n could be overwritten by an earlier dup2 of the list: move it up first.
  for (int i = 0; i < nmap; i++) {
    if (map[i] >= 0 && map[i] < nmap) {
      int d = fcntl(map[i], F_DUPFD_CLOEXEC, 64);
      if (d < 0) {
        int e = errno;
        posix_spawn_file_actions_destroy(&fa);
        posix_spawnattr_destroy(&attr);
        throw_errno(env, e, "fcntl");
        goto close_dups;
      }
      dups[ndups++] = d;
      map[i] = d;
    }
  }
  for (int i = 0; i < nmap; i++) {
    if (map[i] < 0) posix_spawn_file_actions_addopen(&fa, i, "/dev/null", O_RDWR, 0);
    else posix_spawn_file_actions_adddup2(&fa, map[i], i);
  }
  // Only the listed descriptors go to the child. Sockets some libraries open without
  // close-on-exec (node-unix-socket's seqpacket sockets to conmon's attach socket) would otherwise
  // be inherited by every monitor spawned after them, holding connections open after berthd closed them.
  posix_spawn_file_actions_addclosefrom_np(&fa, nmap);
  if (cwd) posix_spawn_file_actions_addchdir_np(&fa, cwd);
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  pid_t pid;
  int r = posix_spawn(&pid, file, &fa, &attr, args, envp);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (r != 0) {
    throw_errno(env, r, "posix_spawn");
  } else {
    napi_create_int32(env, pid, &result);
  }
close_dups:
  for (int i = 0; i < ndups; i++) close(dups[i]);
out:
  free(file);
  free(cwd);
  free_string_array(args);
  free_string_array(envp);
  return result;
}

// waitpid(pid) -> null while `pid` runs, { code, signal } once it exited (reaped now), or throws
// (ECHILD: not our child). Never blocks (WNOHANG): the caller checks again on SIGCHLD, so no thread
// waits on a process that may run for long or hang.
static napi_value js_waitpid(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t pid;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_get_value_int32(env, argv[0], &pid) != napi_ok || pid <= 0) {
    napi_throw_type_error(env, NULL, "waitpid(pid)");
    return NULL;
  }
  int status = 0;
  pid_t r;
  do r = waitpid(pid, &status, WNOHANG);
  while (r < 0 && errno == EINTR);
  napi_value res, code, sig, nul;
  napi_get_null(env, &nul);
  if (r < 0) {
    throw_errno(env, errno, "waitpid");
    return NULL;
  }
  if (r == 0) return nul;
  napi_create_object(env, &res);
  if (WIFEXITED(status)) napi_create_int32(env, WEXITSTATUS(status), &code);
  else code = nul;
  if (WIFSIGNALED(status)) napi_create_int32(env, WTERMSIG(status), &sig);
  else sig = nul;
  napi_set_named_property(env, res, "code", code);
  napi_set_named_property(env, res, "signal", sig);
  return res;
}

// The one string argument of a call taking a path (malloc'd), or NULL with a TypeError thrown
// that shows `usage`.
static char *string_arg(napi_env env, napi_callback_info info, const char *usage) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  char *out = NULL;
  if (argc < 1 || get_string(env, argv[0], &out) != 0 || !out) {
    free(out);
    napi_throw_type_error(env, NULL, usage);
    return NULL;
  }
  return out;
}

typedef struct {
  const char *target;
  int err;
  const char *sys;
} netns_t;

static void *netns_thread(void *arg) {
  netns_t *n = arg;
  if (unshare(CLONE_NEWNET) < 0) {
    n->err = errno;
    n->sys = "unshare";
    return NULL;
  }
  char src[64];
  snprintf(src, sizeof src, "/proc/self/task/%ld/ns/net", (long)syscall(SYS_gettid));
  if (mount(src, n->target, NULL, MS_BIND, NULL) < 0) {
    n->err = errno;
    n->sys = "mount";
  }
  return NULL;
}

// netnsCreate(path): a new, empty network namespace bind-mounted on `path` (an existing file).
// Synchronous: about a millisecond (the kernel's namespace set-up), and it never blocks on I/O.
static napi_value js_netns_create(napi_env env, napi_callback_info info) {
  char *target = string_arg(env, info, "netnsCreate(path)");
  if (!target) return NULL;
  netns_t n = {target, 0, NULL};
  pthread_t t;
  int e = pthread_create(&t, NULL, netns_thread, &n);
  if (e != 0) {
    free(target);
    throw_errno(env, e, "pthread_create");
    return NULL;
  }
  pthread_join(t, NULL);
  if (n.err) {
    napi_throw(env, errno_error(env, n.err, n.sys, target));
    free(target);
    return NULL;
  }
  free(target);
  return NULL;
}

// sealedCopy(path) -> fd: a memfd holding a copy of the program at `path`, sealed against every
// change (write, grow, shrink, further seals), named after the program. berth-nsexec and runc are run
// from one: a process inside a container whose /proc/PID/exe points at a sealed memfd cannot write
// the host's program through it (CVE-2019-5736), and each program, seeing its own seals, need not
// copy itself on every exec.
static napi_value js_sealed_copy(napi_env env, napi_callback_info info) {
  char *src = string_arg(env, info, "sealedCopy(path)");
  if (!src) return NULL;
  char name[64];
  const char *base = strrchr(src, '/');
  snprintf(name, sizeof name, "%s", base ? base + 1 : src);
  int in = open(src, O_RDONLY | O_CLOEXEC);
  free(src);
  if (in < 0) {
    throw_errno(env, errno, "open");
    return NULL;
  }
  int mfd = (int)syscall(SYS_memfd_create, name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (mfd < 0) {
    int e = errno;
    close(in);
    throw_errno(env, e, "memfd_create");
    return NULL;
  }
  char buf[65536];
  for (;;) {
    ssize_t n = read(in, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 || write(mfd, buf, (size_t)n) != n) {
      int e = n < 0 ? errno : EIO;
      close(in);
      close(mfd);
      throw_errno(env, e, "copy");
      return NULL;
    }
  }
  close(in);
  if (fcntl(mfd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0) {
    int e = errno;
    close(mfd);
    throw_errno(env, e, "fcntl");
    return NULL;
  }
  napi_value result;
  napi_create_int32(env, mfd, &result);
  return result;
}

// netlinkSend(nsPath | null, messages) -> Promise<void>. `messages` holds whole rtnetlink requests,
// each asking for an acknowledgement; they are sent one at a time from a NETLINK_ROUTE socket made
// inside the namespace at nsPath (the daemon's own when null), and the first refused one rejects the
// promise with its errno and `index` (its position). The socket belongs to the namespace it was made
// in, so the thread that joins the namespace is a fresh one that ends with the call: no thread of
// Node's ever changes namespace.
typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  char *ns;
  unsigned char *msgs;
  size_t len;
  int err;
  const char *sys;
  int index;
} nl_call_t;

static void nl_fail(nl_call_t *c, int err, const char *sys) {
  c->err = err;
  c->sys = sys;
}

static void *nl_thread(void *arg) {
  nl_call_t *c = arg;
  if (c->ns) {
    int fd = open(c->ns, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      nl_fail(c, errno, "open");
      return NULL;
    }
    int r = setns(fd, CLONE_NEWNET);
    int e = errno;
    close(fd);
    if (r < 0) {
      nl_fail(c, e, "setns");
      return NULL;
    }
  }
  int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (s < 0) {
    nl_fail(c, errno, "socket");
    return NULL;
  }
  // The kernel answers every request at once; a bound wait only guards against the impossible.
  struct timeval tv = {5, 0};
  setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  struct sockaddr_nl kernel;
  memset(&kernel, 0, sizeof kernel);
  kernel.nl_family = AF_NETLINK;
  unsigned char reply[8192] __attribute__((aligned(4)));
  size_t off = 0;
  for (int i = 0; off + sizeof(struct nlmsghdr) <= c->len; i++) {
    struct nlmsghdr *h = (struct nlmsghdr *)(c->msgs + off);
    if (h->nlmsg_len < sizeof *h || off + h->nlmsg_len > c->len) {
      nl_fail(c, EINVAL, "netlink");
      c->index = i;
      break;
    }
    c->index = i;
    if (sendto(s, h, h->nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) {
      nl_fail(c, errno, "sendto");
      break;
    }
    int acked = 0;
    while (!acked) {
      ssize_t n = recv(s, reply, sizeof reply, 0);
      if (n < 0) {
        if (errno == EINTR) continue;
        nl_fail(c, errno, "recv");
        goto out;
      }
      int left = (int)n;
      for (struct nlmsghdr *r = (struct nlmsghdr *)reply; NLMSG_OK(r, left); r = NLMSG_NEXT(r, left)) {
        if (r->nlmsg_seq != h->nlmsg_seq || r->nlmsg_type != NLMSG_ERROR) continue;
        struct nlmsgerr *e = NLMSG_DATA(r);
        if (e->error != 0) {
          nl_fail(c, -e->error, "netlink");
          goto out;
        }
        acked = 1;
        break;
      }
    }
    off += NLMSG_ALIGN(h->nlmsg_len);
  }
out:
  close(s);
  return NULL;
}

static void nl_execute(napi_env env, void *arg) {
  (void)env;
  nl_call_t *c = arg;
  pthread_t t;
  int e = pthread_create(&t, NULL, nl_thread, c);
  if (e != 0) {
    nl_fail(c, e, "pthread_create");
    return;
  }
  pthread_join(t, NULL);
}

static void nl_complete(napi_env env, napi_status status, void *arg) {
  nl_call_t *c = arg;
  settle(env, c->deferred, status, c->err, c->sys ? c->sys : "netlink", c->ns, c->index);
  napi_delete_async_work(env, c->work);
  free(c->ns);
  free(c->msgs);
  free(c);
}

static napi_value js_netlink_send(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  const char *usage = "netlinkSend(nsPath | null, messages: Buffer)";
  bool is_buffer = false;
  if (argc < 2 || napi_is_buffer(env, argv[1], &is_buffer) != napi_ok || !is_buffer) {
    napi_throw_type_error(env, NULL, usage);
    return NULL;
  }
  nl_call_t *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  void *data = NULL;
  size_t len = 0;
  if (get_string(env, argv[0], &c->ns) || napi_get_buffer_info(env, argv[1], &data, &len) != napi_ok || len == 0) {
    free(c->ns);
    free(c);
    napi_throw_type_error(env, NULL, usage);
    return NULL;
  }
  c->msgs = malloc(len);
  if (!c->msgs) {
    free(c->ns);
    free(c);
    return NULL;
  }
  memcpy(c->msgs, data, len);
  c->len = len;
  napi_value promise, name;
  if (napi_create_promise(env, &c->deferred, &promise) != napi_ok) {
    free(c->ns);
    free(c->msgs);
    free(c);
    napi_throw_error(env, NULL, "cannot create a promise");
    return NULL;
  }
  napi_create_string_utf8(env, "berth_netlink", NAPI_AUTO_LENGTH, &name);
  napi_create_async_work(env, NULL, name, nl_execute, nl_complete, c, &c->work);
  napi_queue_async_work(env, c->work);
  return promise;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value f;
  napi_create_function(env, "mount", NAPI_AUTO_LENGTH, js_mount_call, NULL, &f);
  napi_set_named_property(env, exports, "mount", f);
  napi_create_function(env, "umount", NAPI_AUTO_LENGTH, js_mount_call, (void *)1, &f);
  napi_set_named_property(env, exports, "umount", f);
  napi_create_function(env, "pipe", NAPI_AUTO_LENGTH, js_pipe, NULL, &f);
  napi_set_named_property(env, exports, "pipe", f);
  napi_create_function(env, "spawn", NAPI_AUTO_LENGTH, js_spawn, NULL, &f);
  napi_set_named_property(env, exports, "spawn", f);
  napi_create_function(env, "waitpid", NAPI_AUTO_LENGTH, js_waitpid, NULL, &f);
  napi_set_named_property(env, exports, "waitpid", f);
  napi_create_function(env, "netnsCreate", NAPI_AUTO_LENGTH, js_netns_create, NULL, &f);
  napi_set_named_property(env, exports, "netnsCreate", f);
  napi_create_function(env, "sealedCopy", NAPI_AUTO_LENGTH, js_sealed_copy, NULL, &f);
  napi_set_named_property(env, exports, "sealedCopy", f);
  napi_create_function(env, "netlinkSend", NAPI_AUTO_LENGTH, js_netlink_send, NULL, &f);
  napi_set_named_property(env, exports, "netlinkSend", f);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
