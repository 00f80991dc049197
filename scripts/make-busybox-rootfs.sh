#!/usr/bin/env bash
# Makes berth's offline base image: a deterministic busybox rootfs tarball from Debian's busybox-static.
# Usage: make-busybox-rootfs.sh BUSYBOX_BINARY OUTPUT.tar
# The same busybox binary always gives the same bytes (fixed mtimes, sorted names, uid/gid 0, ustar),
# so the imported layer's digest is stable across machines and runs.
set -euo pipefail

BUSYBOX="${1:?busybox binary}"
OUT="${2:?output tar}"
MTIME='2000-01-01 00:00:00Z'

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
mkdir -p "$root"

# The directories a Docker user expects to exist, as in the busybox image on Docker Hub.
for d in bin sbin usr/bin usr/sbin etc root home var var/spool var/www proc sys dev tmp; do
  mkdir -p "$root/$d"
done
chmod 1777 "$root/tmp"
chmod 700 "$root/root"

install -m 755 "$BUSYBOX" "$root/bin/busybox"

# One symlink per applet in the directory busybox itself names (`--list-full`), relative so that the
# link resolves inside any root it is unpacked into. linuxrc is an initramfs entry point: skipped.
"$BUSYBOX" --list-full | while read -r applet; do
  case "$applet" in
    ''|linuxrc|bin/busybox) continue ;;
  esac
  dir="$(dirname "$applet")"
  mkdir -p "$root/$dir"
  # bin/sh -> busybox, usr/bin/[ -> ../../bin/busybox
  if [ "$dir" = bin ]; then
    target=busybox
  else
    target="$(printf '%s' "$dir" | sed -e 's#[^/][^/]*#..#g')/bin/busybox"
  fi
  ln -sfn "$target" "$root/$applet"
done

cat > "$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
nobody:x:65534:65534:nobody:/home:/bin/false
EOF
cat > "$root/etc/group" <<'EOF'
root:x:0:
daemon:x:1:
nogroup:x:65534:
EOF
chmod 644 "$root/etc/passwd" "$root/etc/group"

mkdir -p "$(dirname "$OUT")"
tmp_out="$OUT.tmp.$$"
# Top-level entries without a ./ prefix, as in Docker Hub's layer tarballs.
(cd "$root" && LC_ALL=C tar --format=ustar --sort=name --numeric-owner --owner=0 --group=0 \
  --mtime="$MTIME" -cf "$tmp_out" $(LC_ALL=C ls -A))
mv -f "$tmp_out" "$OUT"
