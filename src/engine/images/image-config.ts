// Building and reading image configs: the config Docker's import writes, the container defaults the
// container service receives, and the platform names Docker uses (GOARCH).
import type { ContainerConfig } from '../../api/types/containers.js';
import type { Digest } from '../../lib/oci/digest.js';
import type { ImageConfig, ImageRunConfig } from '../../lib/oci/types.js';

export const BERTH_DOCKER_VERSION = '';

/** GOARCH for Node's process.arch. */
export function goArch(arch: string = process.arch): string {
  return ({ x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' } as Record<string, string>)[arch] ?? arch;
}

/** Drops null and undefined fields: the OCI schema types Env, ExposedPorts... as arrays/objects only. */
export function compactRunConfig(c: ImageRunConfig): ImageRunConfig {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c)) if (v !== null && v !== undefined) out[k] = v;
  return out as ImageRunConfig;
}

/** The config of an image made by `docker import` (Docker's ImportImage). */
export function importedImageConfig(o: { diffId: Digest; runConfig: ImageRunConfig; message: string; created?: Date; arch?: string; os?: string }): ImageConfig {
  const created = (o.created ?? new Date()).toISOString();
  return {
    architecture: o.arch ?? goArch(),
    comment: o.message,
    config: compactRunConfig(o.runConfig),
    created,
    docker_version: BERTH_DOCKER_VERSION,
    history: [{ created, comment: o.message }],
    os: o.os ?? 'linux',
    rootfs: { type: 'layers', diff_ids: [o.diffId] },
  };
}

/** The image config's `config` as the container defaults (same field names as the Engine API's). */
export function containerDefaults(cfg: ImageConfig): ContainerConfig {
  const c = cfg.config ?? {};
  const out: ContainerConfig = {};
  if (c.User !== undefined) out.User = c.User;
  if (c.ExposedPorts) out.ExposedPorts = c.ExposedPorts;
  if (c.Env) out.Env = [...c.Env];
  if (c.Cmd !== undefined) out.Cmd = c.Cmd ? [...c.Cmd] : null;
  if (c.Entrypoint !== undefined) out.Entrypoint = c.Entrypoint ? [...c.Entrypoint] : null;
  if (c.Volumes) out.Volumes = c.Volumes;
  if (c.WorkingDir !== undefined) out.WorkingDir = c.WorkingDir;
  if (c.Labels) out.Labels = { ...c.Labels };
  if (c.StopSignal) out.StopSignal = c.StopSignal;
  if (c.StopTimeout !== undefined) out.StopTimeout = c.StopTimeout;
  if (c.ArgsEscaped !== undefined) out.ArgsEscaped = c.ArgsEscaped;
  if (c.Healthcheck) out.Healthcheck = { ...c.Healthcheck };
  if (c.OnBuild) out.OnBuild = [...c.OnBuild];
  if (c.Shell) out.Shell = [...c.Shell];
  return out;
}

/** Checks the parts of a config the store relies on; returns it typed. */
export function validateImageConfig(raw: unknown): ImageConfig {
  const c = raw as ImageConfig;
  if (!c || typeof c !== 'object') throw new Error('image config is not a JSON object');
  if (!c.rootfs || c.rootfs.type !== 'layers' || !Array.isArray(c.rootfs.diff_ids)) throw new Error('image config has no rootfs.diff_ids');
  for (const d of c.rootfs.diff_ids) if (typeof d !== 'string' || !/^sha256:[a-f0-9]{64}$/.test(d)) throw new Error(`image config has an invalid diff ID: ${String(d)}`);
  if (c.config !== undefined && (typeof c.config !== 'object' || Array.isArray(c.config))) throw new Error('image config has an invalid config');
  return c;
}
