// The mounts of a new container as records: bind sources checked (a missing -v path is made, as
// Docker makes it), named volumes created or found, anonymous ones created (and listed in
// `createdVolumes` so a failed create can take them back), tmpfs as given.
import fs from 'node:fs/promises';
import { InvalidParameterError } from '../../errors.js';
import type { MountRecord } from './container-model.js';
import type { planMounts } from './mount-plan.js';
import { resolveInRoot } from './scoped-path.js';
import type { VolumeAccess } from './volume-access.js';

export async function mountRecords(plan: ReturnType<typeof planMounts>, volumes: VolumeAccess, createdVolumes: string[]): Promise<MountRecord[]> {
  const mounts: MountRecord[] = [];
  for (const m of plan) {
    if (m.kind === 'bind') {
      const st = await fs.stat(m.source).catch(() => null);
      if (!st) {
        if (!m.createSource) throw new InvalidParameterError(`invalid mount config for type "bind": bind source path does not exist: ${m.source}`);
        // Docker creates a missing -v host path as a directory.
        await fs.mkdir(m.source, { recursive: true, mode: 0o755 });
      }
      mounts.push({ type: 'bind', source: m.source, destination: m.destination, mode: m.mode, rw: !m.readonly, propagation: m.propagation });
    } else if (m.kind === 'volume') {
      const anonymous = m.name === null;
      const vol = await volumes.create(anonymous ? { anonymous: true, labels: m.labels } : { name: m.name!, labels: m.labels, ifMissing: true });
      if (anonymous) createdVolumes.push(vol.name);
      let source = vol.mountpoint;
      if (m.subpath) {
        // Resolved inside the volume (symlinks too) so a link in it cannot point the mount elsewhere.
        source = await resolveInRoot(vol.mountpoint, m.subpath);
        if (!(await fs.stat(source).catch(() => null))) {
          throw new InvalidParameterError(`invalid mount config for type "volume": cannot access path ${m.subpath} in volume ${vol.name}: no such file or directory`);
        }
      }
      mounts.push({
        type: 'volume',
        name: vol.name,
        source,
        destination: m.destination,
        driver: 'local',
        mode: m.mode,
        rw: !m.readonly,
        propagation: '',
        anonymous,
        copyImageContent: !m.noCopy && !m.subpath,
      });
    } else {
      mounts.push({ type: 'tmpfs', source: '', destination: m.destination, mode: '', rw: !m.readonly, propagation: '', tmpfsOptions: m.options, ...(m.fromTmpfsOption ? { hidden: true } : {}) });
    }
  }
  return mounts;
}
