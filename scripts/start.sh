#!/usr/bin/env bash
# Makes sure berthd runs on the default socket, that it has the offline busybox:latest image, runs one
# container to show it works, and says what to try next. Run after scripts/setup.sh (`npm start`).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SOCK=/run/berth/berth.sock
LOG=/var/log/berthd.log
TAR="$REPO/.cache/busybox-rootfs.tar"
export DOCKER_HOST="unix://$SOCK" BERTH_HOST="unix://$SOCK"

say() { printf 'start: %s\n' "$*"; }
ping() { curl -fsS --max-time 2 --unix-socket "$SOCK" http://localhost/_ping 2>/dev/null | grep -qx OK; }

if ping; then
  say "berthd already running on $SOCK (pid $(cat /run/berth/berthd.pid 2>/dev/null || echo '?'))"
else
  say "starting berthd in the background (log: $LOG)"
  mkdir -p "$(dirname "$LOG")"
  # setsid + nohup: the daemon outlives this shell and the terminal it was started from.
  setsid nohup "$REPO/bin/berthd" >> "$LOG" 2>&1 < /dev/null &
  for _ in $(seq 1 200); do
    ping && break
    if ! kill -0 $! 2>/dev/null; then
      say "berthd exited during start-up; last lines of $LOG:"; tail -n 20 "$LOG" >&2; exit 1
    fi
    sleep 0.1
  done
  ping || { say "berthd did not answer /_ping within 20 s; see $LOG"; tail -n 20 "$LOG" >&2; exit 1; }
  say "berthd is up on $SOCK (pid $(cat /run/berth/berthd.pid 2>/dev/null || echo $!))"
fi

# The offline base image: imported through the Engine API the first time.
if curl -fsS --unix-socket "$SOCK" http://localhost/images/busybox:latest/json > /dev/null 2>&1; then
  say "busybox:latest present"
else
  say "importing $TAR as busybox:latest"
  out="$(curl -sS --unix-socket "$SOCK" -X POST -H 'Content-Type: application/x-tar' --data-binary @"$TAR" \
    'http://localhost/images/create?fromSrc=-&repo=busybox&tag=latest&changes=CMD%20%5B%22sh%22%5D')"
  if grep -q '"error' <<< "$out"; then say "import failed: $out"; exit 1; fi
fi

say 'berth run --rm busybox echo "hello from berth"'
"$REPO/bin/berth" run --rm busybox echo "hello from berth"

echo
echo "Next, try:"
try() { if [ -n "$2" ]; then printf '  %-64s # %s\n' "$1" "$2"; else printf '  %s\n' "$1"; fi; }
try "berth ps -a" "berth's own CLI (linked in /usr/local/bin)"
try "berth run -d --name web busybox sleep 3600" "a detached container"
try "berth exec -it web sh" "a shell inside it"
try "DOCKER_HOST=unix://$SOCK docker run -it busybox sh" "the real docker CLI against berthd"
try "DOCKER_HOST=unix://$SOCK docker images" ""
try "tail -f $LOG" "the daemon's log"
try "npm test" "unit + integration suites"
try "npm run bench" "berthd vs dockerd vs runc, side by side"
