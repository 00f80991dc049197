// Which processes use a filesystem root: each serving berth-registry leaves `<root>/.servers/<pid>`
// while it runs, so the offline `gc` can refuse a root that a live server is using (the online GC is
// the safe way there). A file whose pid is dead is stale and ignored (and removed).
import fs from 'node:fs';
import path from 'node:path';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function registerServer(root: string): () => void {
  const dir = path.join(root, '.servers');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, String(process.pid));
  fs.writeFileSync(file, new Date().toISOString());
  return () => fs.rmSync(file, { force: true });
}

export function liveServers(root: string): number[] {
  const dir = path.join(root, '.servers');
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const n of names) {
    const pid = Number(n);
    if (!Number.isInteger(pid)) continue;
    if (pid !== process.pid && alive(pid)) out.push(pid);
    else if (pid !== process.pid) fs.rmSync(path.join(dir, n), { force: true });
  }
  return out;
}
