// Bytes used by a directory tree (regular files and symlinks, hard links counted once), for SizeRw
// and SizeRootFs. Image layers never change, so their sizes are cached when asked.
import fs from 'node:fs/promises';
import path from 'node:path';

const cache = new Map<string, number>();

export async function diskUsage(dir: string, immutable = false): Promise<number> {
  if (immutable && cache.has(dir)) return cache.get(dir)!;
  const seen = new Set<string>();
  let total = 0;
  const walk = async (d: string): Promise<void> => {
    let entries;
    try {
      entries = await fs.readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        await walk(p);
        continue;
      }
      const st = await fs.lstat(p).catch(() => null);
      if (!st) continue;
      if (st.nlink > 1) {
        const key = `${st.dev}:${st.ino}`;
        if (seen.has(key)) continue;
        seen.add(key);
      }
      if (st.isFile() || st.isSymbolicLink()) total += st.size;
    }
  };
  await walk(dir);
  if (immutable) cache.set(dir, total);
  return total;
}
