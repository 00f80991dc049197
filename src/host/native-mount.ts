// mount(2) and umount2(2) through berth's native addon (native/berth_native.c), built by set-up with
// node-gyp. When the addon is missing (not built, another platform) `available` is false and callers
// run mount(8)/umount(8) instead, which do the same at a few milliseconds more per call.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const MS_RDONLY = 0x1;
export const MS_NOSUID = 0x2;
export const MS_NODEV = 0x4;
export const MS_NOEXEC = 0x8;
export const MS_REMOUNT = 0x20;
export const MS_BIND = 0x1000;
export const MS_REC = 0x4000;
export const MNT_DETACH = 0x2;

interface Addon {
  mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null): Promise<void>;
  umount(target: string, flags: number): Promise<void>;
}

/** native/build/Release/berth_native.node, found from here whether running from src/ or dist/src/. */
function findAddon(): string | null {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const p = path.join(dir, 'native', 'build', 'Release', 'berth_native.node');
    if (fs.existsSync(p)) return p;
    dir = path.dirname(dir);
  }
  return null;
}

function load(): Addon | null {
  if (process.env.BERTH_NO_NATIVE === '1') return null;
  const p = findAddon();
  if (!p) return null;
  try {
    return createRequire(import.meta.url)(p) as Addon;
  } catch {
    return null;
  }
}

const addon = load();

/** True when the system calls are reachable directly. */
export const available = addon !== null;

/** mount(2). Rejects with an Error whose `code` is the errno name (EBUSY, EINVAL...). */
export function mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null): Promise<void> {
  if (!addon) return Promise.reject(new Error('the native addon is not built'));
  return addon.mount(source, target, fstype, flags, data);
}

/** umount2(2); flags MNT_DETACH for a lazy unmount. */
export function umount(target: string, flags = 0): Promise<void> {
  if (!addon) return Promise.reject(new Error('the native addon is not built'));
  return addon.umount(target, flags);
}
