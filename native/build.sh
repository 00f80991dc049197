#!/usr/bin/env bash
# Builds berth's native addon (berth_native.c: mount(2)/umount2(2)) and the exec helper
# (berth_nsexec.c, see src/host/nsexec.ts) into build/Release/. Each is one C file (the addon against
# N-API only), so a plain compiler call does it: no node-gyp, no Python, no network. The N-API
# symbols resolve against the node binary at load time. Exits non-zero when no compiler or no Node
# headers are found; berthd then runs mount(8)/umount(8) instead.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cc=()
for c in ${CC:-} cc gcc gcc-12 clang; do
  command -v "$c" > /dev/null && { cc=("$c"); break; }
done
# g++ alone (Debian's g++ brings the C compiler with it) compiles C when told the language.
[ ${#cc[@]} -gt 0 ] || { command -v g++ > /dev/null && cc=(g++ -x c); }
[ ${#cc[@]} -gt 0 ] || { echo "no C compiler (cc, gcc, clang or g++)" >&2; exit 1; }
prefix="$(node -p 'process.config.variables.node_prefix' 2>/dev/null || echo /usr)"
inc=""
for d in "$prefix/include/node" /usr/include/node /usr/local/include/node; do
  [ -f "$d/node_api.h" ] && { inc="$d"; break; }
done
[ -n "$inc" ] || { echo "Node's headers (node_api.h) not found" >&2; exit 1; }
mkdir -p "$HERE/build/Release"
"${cc[@]}" -shared -fPIC -O2 -Wall -Wextra -I"$inc" -o "$HERE/build/Release/berth_native.node.tmp" "$HERE/berth_native.c"
mv "$HERE/build/Release/berth_native.node.tmp" "$HERE/build/Release/berth_native.node"
# berth-nsexec: a program of its own (it forks and joins namespaces, which no thread of Node's may do),
# from two files: the exec itself, and the probe server (berth_nsexec_serve.c).
# Dynamically linked only as a fall-back, then bound at load time (-z now): it resolves nothing
# lazily once inside a container's mount namespace.
# Linked statically when libc.a is there (libc6-dev has it): every exec and probe starts it, and on
# this VM the page faults of loading libc.so and relocating cost ~1.5 ms of CPU per start (perf stat
# of 20 runs by hand, each starting it twice as it copies itself: 10.2 ms task-clock dynamic, 6.8
# static).
nsexec_src=("$HERE/berth_nsexec.c" "$HERE/berth_nsexec_serve.c")
"${cc[@]}" -O2 -Wall -Wextra -static -o "$HERE/build/Release/berth-nsexec.tmp" "${nsexec_src[@]}" 2> /dev/null \
  || "${cc[@]}" -O2 -Wall -Wextra -Wl,-z,now -o "$HERE/build/Release/berth-nsexec.tmp" "${nsexec_src[@]}"
mv "$HERE/build/Release/berth-nsexec.tmp" "$HERE/build/Release/berth-nsexec"
