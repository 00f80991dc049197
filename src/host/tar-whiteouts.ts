// The node kinds Node's fs cannot make: overlayfs whiteouts (a 0/0 character device), fifos, and the
// opaque-directory xattr (`trusted.overlay.opaque=y`). Made with coreutils' mknod and attr's setfattr,
// spawned by argument array. Needs root (CAP_MKNOD, CAP_SYS_ADMIN for trusted.*).
import { execFile } from 'node:child_process';

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: 30_000 }, (err, _stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')}: ${String(stderr).trim() || err.message}`));
      else resolve();
    });
  });
}

/** An overlayfs whiteout: character device 0/0 at `p` (which must not exist). */
export function makeWhiteout(p: string): Promise<void> {
  return run('mknod', ['-m', '000', '--', p, 'c', '0', '0']);
}

export function makeFifo(p: string, mode: number): Promise<void> {
  return run('mknod', ['-m', (mode & 0o7777).toString(8), '--', p, 'p']);
}

/** Marks a directory opaque for overlayfs: entries of lower layers under it are hidden. */
export function markOpaque(dir: string): Promise<void> {
  // -h: never dereference; the caller passes a directory it resolved inside the layer.
  return run('setfattr', ['-h', '-n', 'trusted.overlay.opaque', '-v', 'y', '--', dir]);
}
