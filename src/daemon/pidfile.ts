// dockerd's pidfile rule: refuse to start while the recorded process is alive; replace a stale file.
import fs from 'node:fs/promises';
import path from 'node:path';
import { ConflictError } from '../errors.js';

export async function acquirePidfile(file: string): Promise<void> {
  const old = await fs.readFile(file, 'utf8').catch(() => '');
  const pid = Number(old.trim());
  if (pid > 0 && pid !== process.pid && alive(pid)) {
    const cmdline = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes('berthd')) throw new ConflictError(`pid file found, ensure berthd is not running or delete ${file}`);
  }
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, `${process.pid}`);
  await fs.rename(tmp, file);
}

export async function releasePidfile(file: string): Promise<void> {
  const cur = await fs.readFile(file, 'utf8').catch(() => '');
  if (Number(cur.trim()) === process.pid) await fs.rm(file, { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
