// berth's one native addon: the mount(2) and umount2(2) system calls, which Node does not offer.
// Spawning mount(8)/umount(8) costs 4-5 ms a call (a process, libmount reading the mount table and
// fstab); the system call itself costs a fraction of a millisecond, and every container start and
// exit needs one. Both calls run on the libuv thread pool (a mount can block on the filesystem) and
// return promises; a failure rejects with an Error carrying `code` ("EBUSY"), `errno` and `syscall`,
// as Node's own fs errors do.
#define _GNU_SOURCE
#include <errno.h>
#include <node_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

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

// errno names for the codes these calls return (mount(2), umount2(2)); others read "E<number>".
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
    default: return NULL;
  }
}

static void complete(napi_env env, napi_status status, void *arg) {
  call_t *c = arg;
  if (status == napi_ok && c->err == 0) {
    napi_value undef;
    napi_get_undefined(env, &undef);
    napi_resolve_deferred(env, c->deferred, undef);
  } else {
    int e = c->err ? c->err : EIO;
    const char *sys = c->is_umount ? "umount2" : "mount";
    char code[32];
    const char *name = errno_name(e);
    if (name) snprintf(code, sizeof code, "%s", name);
    else snprintf(code, sizeof code, "E%d", e);
    char text[4200];
    snprintf(text, sizeof text, "%s: %s %s: %s", code, sys, c->target ? c->target : "", strerror(e));
    napi_value msg, codev, err, errnov, sysv;
    napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &msg);
    napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &codev);
    napi_create_error(env, codev, msg, &err);
    napi_create_int32(env, -e, &errnov);
    napi_create_string_utf8(env, sys, NAPI_AUTO_LENGTH, &sysv);
    napi_set_named_property(env, err, "errno", errnov);
    napi_set_named_property(env, err, "syscall", sysv);
    napi_reject_deferred(env, c->deferred, err);
  }
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

// mount(source, target, fstype, flags, data) -> Promise<void>
static napi_value js_mount(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 5) {
    napi_throw_type_error(env, NULL, "mount(source, target, fstype, flags, data)");
    return NULL;
  }
  call_t *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  double flags;
  if (get_string(env, argv[0], &c->source) || get_string(env, argv[1], &c->target) || !c->target ||
      get_string(env, argv[2], &c->fstype) || napi_get_value_double(env, argv[3], &flags) != napi_ok ||
      get_string(env, argv[4], &c->data)) {
    free_call(c);
    napi_throw_type_error(env, NULL, "mount: bad arguments (strings without NUL, a numeric flags value)");
    return NULL;
  }
  c->flags = (unsigned long)flags;
  return queue(env, c);
}

// umount(target, flags) -> Promise<void>
static napi_value js_umount(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2) {
    napi_throw_type_error(env, NULL, "umount(target, flags)");
    return NULL;
  }
  call_t *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  double flags;
  if (get_string(env, argv[0], &c->target) || !c->target || napi_get_value_double(env, argv[1], &flags) != napi_ok) {
    free_call(c);
    napi_throw_type_error(env, NULL, "umount: bad arguments (a path without NUL, a numeric flags value)");
    return NULL;
  }
  c->is_umount = 1;
  c->flags = (unsigned long)flags;
  return queue(env, c);
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value f;
  napi_create_function(env, "mount", NAPI_AUTO_LENGTH, js_mount, NULL, &f);
  napi_set_named_property(env, exports, "mount", f);
  napi_create_function(env, "umount", NAPI_AUTO_LENGTH, js_umount, NULL, &f);
  napi_set_named_property(env, exports, "umount", f);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
