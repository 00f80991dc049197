// Network namespaces kept by a bind-mounted file, as `ip netns add` keeps them, but made without a
// process (native.netnsCreate) under a directory of berthd's own. A bridge container's namespace is
// made this way before its runtime create, so that its veth can be wired while runc works; the
// container joins it by path. The file (and with it the namespace, once the container's processes
// are gone) goes at the container's release.
import fs from 'node:fs';
import * as native from './native.js';

/** Whether namespaces can be made here without a process. */
export function netnsFilesAvailable(): boolean {
  return native.netnsAvailable() && process.env.BERTH_NO_NETNS_AHEAD !== '1';
}

/** A new, empty network namespace on `file` (made; its directory must exist). */
export function createNetnsFile(file: string): void {
  fs.writeFileSync(file, '', { mode: 0o600 });
  try {
    native.netnsCreate(file);
  } catch (e) {
    fs.rmSync(file, { force: true });
    throw e;
  }
}

/** Unmounts (lazily: a process still in it keeps it) and removes a namespace file; no-op when absent. */
export async function removeNetnsFile(file: string): Promise<void> {
  if (!fs.existsSync(file)) return;
  await native.umount(file, native.MNT_DETACH).catch((e: NodeJS.ErrnoException) => {
    // EINVAL: not a mount point (a crash between the file and its mount): only the file is left.
    if (e.code !== 'EINVAL' && e.code !== 'ENOENT') throw e;
  });
  fs.rmSync(file, { force: true });
}
