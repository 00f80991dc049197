#!/usr/bin/env bash
# berth set-up: host packages, npm dependencies, the build, the offline busybox base image and the
# /usr/local/bin links. Idempotent: every step checks first and acts only when something is missing,
# printing one line per step, so a second run takes well under a second or two.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
CACHE="$REPO/.cache"
mkdir -p "$CACHE"

step() { printf 'setup: %-22s %s\n' "$1" "$2"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "berth needs root (runc, overlay mounts, cgroups); run as root"

# ---------------------------------------------------------------------------------------------------
# 1. Debian packages. Checked by package status (one dpkg-query), so a dynamic `busybox` package
#    cannot stand in for busybox-static (the rootfs needs the static binary). docker.io is here only as
#    the peer for tests and the bench: its dockerd must never be left running by the install. The same
#    holds for docker-registry (the reference registry; tests run their own with their own config),
#    skopeo (a registry client for the interop tests), apache2-utils (`htpasswd -B`) and zstd (zstd
#    layers for the distribution suite). gcc and libc6-dev build the native addon and berth-nsexec
#    (step 3b): berthd runs without them, slower, but the tests hold the exec path to the helper.
# ---------------------------------------------------------------------------------------------------
PKGS=(runc conmon busybox-static iproute2 iptables catatonit jq attr bsdutils curl docker.io openssl chromium skopeo docker-registry apache2-utils zstd gcc libc6-dev)
missing=()
for p in "${PKGS[@]}"; do
  status="$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)"
  [ "${status:0:2}" = "ii" ] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  step "apt packages" "ok (${#PKGS[@]} present)"
else
  step "apt packages" "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Service starts during the install are refused through policy-rc.d (exit 101 = "action forbidden"),
  # the Debian mechanism invoke-rc.d and deb-systemd-invoke honour. An existing policy is left alone.
  policy_added=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\n# temporary, from berth scripts/setup.sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    policy_added=1
  fi
  before_pids="$(pgrep -x dockerd; pgrep -x containerd; pgrep -x docker-registry; true)"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" > "$CACHE/apt-install.log" 2>&1 \
    || { cat "$CACHE/apt-install.log" >&2; [ $policy_added = 1 ] && rm -f /usr/sbin/policy-rc.d; die "apt-get install failed"; }
  [ $policy_added = 1 ] && rm -f /usr/sbin/policy-rc.d
  # Belt and braces: on a systemd host make sure the units stay off, and stop any dockerd/containerd
  # that the install started anyway (only those: a dockerd that ran before is somebody else's).
  if [ -d /run/systemd/system ] && command -v systemctl > /dev/null; then
    systemctl disable --now docker.service docker.socket containerd.service docker-registry.service > /dev/null 2>&1 || true
  fi
  for pid in $(pgrep -x dockerd; pgrep -x containerd; pgrep -x docker-registry; true); do
    grep -qx "$pid" <<< "$before_pids" || { kill "$pid" 2>/dev/null || true; }
  done
  step "apt packages" "installed ${#missing[@]}"
fi

# ---------------------------------------------------------------------------------------------------
# 2. npm dependencies: `npm ci` when node_modules is missing or older than the lockfile (npm writes
#    node_modules/.package-lock.json on every install).
# ---------------------------------------------------------------------------------------------------
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "npm ci" "installing"
  if ! npm ci --no-audit --no-fund --loglevel=error > "$CACHE/npm-ci.log" 2>&1; then
    # npm ci refuses a lockfile that lists optional platform packages without entries for them
    # (node-unix-socket's darwin/arm builds are not resolvable from every registry). npm install
    # with --no-save installs the same locked versions and leaves package-lock.json untouched.
    if grep -q 'EUSAGE' "$CACHE/npm-ci.log"; then
      step "npm ci" "lockfile refused by npm ci ($(grep -m1 'Missing:' "$CACHE/npm-ci.log" | sed 's/npm error //')); npm install --no-save"
      npm install --no-save --no-audit --no-fund --loglevel=error >> "$CACHE/npm-ci.log" 2>&1 || { cat "$CACHE/npm-ci.log" >&2; die "npm install failed"; }
    else
      cat "$CACHE/npm-ci.log" >&2; die "npm ci failed"
    fi
  fi
  touch node_modules/.package-lock.json
  step "npm ci" "done"
else
  step "npm ci" "ok (node_modules up to date)"
fi

# ---------------------------------------------------------------------------------------------------
# 3. Build. An incremental tsc with nothing to do still costs ~1.4 s here; a find over the sources
#    costs ~10 ms. The stamp is touched only after a clean compile, so type errors keep failing the
#    set-up until they are fixed (tsc still emits; BERTH_ALLOW_TSC_ERRORS=1 carries on regardless).
# ---------------------------------------------------------------------------------------------------
BUILD_STAMP="$CACHE/build.ok"
build_failed=0
need_build=1
if [ -f "$BUILD_STAMP" ] && [ -f dist/.tsbuildinfo ]; then
  newer="$(find src test bench tsconfig.json package.json package-lock.json -newer "$BUILD_STAMP" -print -quit 2>/dev/null || true)"
  [ -z "$newer" ] && need_build=0
fi
if [ $need_build = 0 ]; then
  step "build" "ok (dist up to date)"
else
  step "build" "tsc -p ."
  if node node_modules/typescript/bin/tsc -p . > "$CACHE/tsc.log" 2>&1; then
    touch "$BUILD_STAMP"
    step "build" "done"
  else
    rm -f "$BUILD_STAMP"
    grep -E 'error TS' "$CACHE/tsc.log" | head -40 >&2 || cat "$CACHE/tsc.log" >&2
    if [ "${BERTH_ALLOW_TSC_ERRORS:-0}" = 1 ]; then
      step "build" "type errors ignored (BERTH_ALLOW_TSC_ERRORS=1); full log: $CACHE/tsc.log"
    else
      build_failed=1   # reported at the end, after the steps that do not depend on the build
    fi
  fi
fi

# 3. (cont.) Each program's modules bundled into one file (dist/bundle, scripts/bundle.mjs), which
#    loads in half the time: after every compile, or when a bundle is missing. The launchers in bin/
#    load a bundle only when it is as new as the compile, so a failed bundle costs speed, nothing more.
bundle_stale=0
for b in berthd berth berth-registry; do
  [ -f "dist/bundle/$b.js" ] && [ ! dist/.tsbuildinfo -nt "dist/bundle/$b.js" ] || bundle_stale=1
done
if [ $bundle_stale = 0 ]; then
  step "bundle" "ok (up to date)"
elif node scripts/bundle.mjs > "$CACHE/bundle.log" 2>&1; then
  step "bundle" "$(tail -1 "$CACHE/bundle.log")"
else
  step "bundle" "not made, the compiled modules are used ($(tail -1 "$CACHE/bundle.log"))"
fi

# 3a. The dashboard's files (web/ and xterm.js) into dist/web: a copy, so always.
if node scripts/build-web.mjs > "$CACHE/web.log" 2>&1; then
  step "dashboard" "$(tail -1 "$CACHE/web.log")"
else
  step "dashboard" "not copied ($(tail -1 "$CACHE/web.log"))"
fi

# 3b. The native addon (mount(2)/umount2(2) for berthd, native/) and the exec helper berth-nsexec:
#    rebuilt when a source changed. Optional: without a compiler or Node's headers berthd runs
#    mount(8)/umount(8) and `runc exec` instead.
ADDON=native/build/Release/berth_native.node
if [ -f "$ADDON" ] && [ -x native/build/Release/berth-nsexec ] && [ -z "$(find native -name '*.c' -newer "$ADDON" -print -quit)" ] && [ ! native/build.sh -nt "$ADDON" ]; then
  step "native addon" "ok ($ADDON)"
elif bash native/build.sh > "$CACHE/native.log" 2>&1; then
  step "native addon" "built $ADDON"
else
  step "native addon" "not built ($(tail -1 "$CACHE/native.log")); berthd will use mount(8)"
fi

# ---------------------------------------------------------------------------------------------------
# 4. The offline base image: a busybox rootfs tarball from Debian's busybox-static. Rebuilt only when
#    missing or when the busybox binary or this recipe changed (the stamp holds both hashes).
# ---------------------------------------------------------------------------------------------------
ROOTFS_TAR="$CACHE/busybox-rootfs.tar"
ROOTFS_STAMP="$CACHE/busybox-rootfs.stamp"
BUSYBOX=/bin/busybox
[ -x "$BUSYBOX" ] || die "$BUSYBOX missing (busybox-static)"
want_stamp="$(sha256sum "$BUSYBOX" "$REPO/scripts/make-busybox-rootfs.sh" | awk '{print $1}' | tr '\n' ' ')"
if [ -f "$ROOTFS_TAR" ] && [ -f "$ROOTFS_STAMP" ] && [ "$(cat "$ROOTFS_STAMP")" = "$want_stamp" ]; then
  step "busybox rootfs" "ok ($ROOTFS_TAR)"
else
  bash "$REPO/scripts/make-busybox-rootfs.sh" "$BUSYBOX" "$ROOTFS_TAR"
  printf '%s' "$want_stamp" > "$ROOTFS_STAMP"
  step "busybox rootfs" "built $ROOTFS_TAR ($(du -h "$ROOTFS_TAR" | cut -f1))"
fi

# The real Docker CLI the integration suites drive is part of the machine image, not installed here;
# say so plainly when it is missing rather than let every docker test fail with ENOENT.
if [ -x /usr/local/bin/docker ]; then
  step "docker CLI" "ok ($(/usr/local/bin/docker --version 2>/dev/null | sed 's/,.*//') at /usr/local/bin/docker)"
else
  step "docker CLI" "WARNING: /usr/local/bin/docker (Docker 28 CLI) is missing: the docker-cli suites will fail"
fi

# ---------------------------------------------------------------------------------------------------
# 5. Links into /usr/local/bin. /usr/local/bin/docker is the real Docker 28 CLI: never touched.
# ---------------------------------------------------------------------------------------------------
linked=()
for b in berth berthd; do
  target="$REPO/bin/$b"
  if [ "$(readlink "/usr/local/bin/$b" 2>/dev/null || true)" != "$target" ]; then
    ln -sfn "$target" "/usr/local/bin/$b"
    linked+=("$b")
  fi
done
if [ ${#linked[@]} -eq 0 ]; then
  step "links" "ok (/usr/local/bin/berth, berthd)"
else
  step "links" "linked ${linked[*]} into /usr/local/bin"
fi

[ $build_failed = 0 ] || die "tsc reported type errors (full log: $CACHE/tsc.log; BERTH_ALLOW_TSC_ERRORS=1 to carry on)"
