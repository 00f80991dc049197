// What a container takes from other containers at its start: their volumes (--volumes-from) and their
// or the host's PID/IPC/UTS namespaces (--pid, --ipc, --uts). Pure over a lookup of the others.
import { ConflictError, InvalidParameterError } from '../../errors.js';
import type { HostConfig } from '../../api/types/containers.js';
import type { SharedNamespace, SpecInput } from '../../lib/oci/spec-input.js';
import type { ContainerRecord, MountRecord } from './container-model.js';

/**
 * --volumes-from NAME[:ro|:rw]: the other container's volumes and binds at the same places, read-only
 * or read-write as asked (else as there); a destination this container mounts itself wins, as Docker.
 */
export function mountsFrom(specs: string[], own: MountRecord[], find: (name: string) => ContainerRecord): MountRecord[] {
  const out: MountRecord[] = [];
  const taken = new Set(own.map((m) => m.destination));
  for (const spec of specs) {
    const m = /^(.+?)(?::(ro|rw))?$/.exec(spec);
    if (!m) throw new InvalidParameterError(`invalid --volumes-from: ${spec}`);
    const from = find(m[1]!);
    for (const mount of from.mounts) {
      if (mount.type === 'tmpfs' || taken.has(mount.destination)) continue;
      taken.add(mount.destination);
      const rw = m[2] === 'ro' ? false : m[2] === 'rw' ? true : mount.rw;
      // Shared, not owned: removing this container never removes the other's anonymous volume.
      out.push({ ...mount, rw, ...(mount.type === 'volume' ? { anonymous: false, copyImageContent: false } : {}) });
    }
  }
  return out;
}

/**
 * --pid / --ipc host|container:NAME and --uts host. Joining needs the other container running (its
 * init's PID, 0 when it does not run), as Docker's start says ("cannot join PID of a non running
 * container").
 */
export function sharedNamespaces(hc: HostConfig, find: (name: string) => { id: string; pid: number }): SpecInput['shared'] | undefined {
  const out: NonNullable<SpecInput['shared']> = {};
  const join = (mode: string | undefined, kind: 'pid' | 'ipc'): SharedNamespace | undefined => {
    if (!mode) return undefined;
    if (mode === 'host') return { mode: 'host' };
    if (!mode.startsWith('container:')) return undefined;
    const other = find(mode.slice('container:'.length));
    if (!(other.pid > 0)) throw new ConflictError(`cannot join ${kind.toUpperCase()} of a non running container: ${other.id}`);
    return { mode: 'path', path: `/proc/${other.pid}/ns/${kind}` };
  };
  const pid = join(hc.PidMode, 'pid');
  const ipc = join(hc.IpcMode, 'ipc');
  if (pid) out.pid = pid;
  if (ipc) out.ipc = ipc;
  if (hc.UTSMode === 'host') out.uts = 'host';
  return Object.keys(out).length ? out : undefined;
}
