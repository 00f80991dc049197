// `docker commit`: a container's overlay upper directory becomes one layer on top of its image, with
// the container's config (merged with the request's config and `changes`) as the new image's config,
// as Docker's commit does: history `created_by` is the container's command, `comment` and `author`
// go into the config and the history entry, and a running container is paused for the copy unless
// pause=false.
import type { ContainerService } from '../containers/container-service.js';
import type { ImageService } from '../images/image-service.js';
import type { Logger } from '../../daemon/logger.js';
import type { ContainerConfig } from '../../api/types/containers.js';
import type { ImageConfig, ImageRunConfig } from '../../lib/oci/types.js';
import type { Digest } from '../../lib/oci/digest.js';
import { applyChanges } from '../../lib/dockerfile/changes.js';
import { DockerfileParseError } from '../../lib/dockerfile/instruction.js';
import { InvalidParameterError, SystemError } from '../../errors.js';
import { compactRunConfig, BERTH_DOCKER_VERSION, goArch } from '../images/image-config.js';
import { diffTar, listDiff } from './layer-diff.js';

export interface CommitOptions {
  repo?: string;
  tag?: string;
  comment: string;
  author: string;
  pause: boolean;
  changes: string[];
  config: ContainerConfig;
}

const RUN_CONFIG_KEYS = ['User', 'ExposedPorts', 'Env', 'Entrypoint', 'Cmd', 'Volumes', 'WorkingDir', 'Labels', 'StopSignal', 'Healthcheck', 'OnBuild', 'Shell', 'ArgsEscaped'] as const;

function runConfigOf(c: ContainerConfig): ImageRunConfig {
  const out: Record<string, unknown> = {};
  for (const k of RUN_CONFIG_KEYS) if ((c as Record<string, unknown>)[k] !== undefined) out[k] = (c as Record<string, unknown>)[k];
  return out as ImageRunConfig;
}

export async function commitContainer(images: ImageService, containers: ContainerService, log: Logger, idOrName: string, o: CommitOptions): Promise<Digest> {
  const rec = containers.get(idOrName);
  // Docker: the request's config fields override the container's (Env merged by key through changes).
  let run: ImageRunConfig = { ...runConfigOf(rec.config), ...runConfigOf(o.config) };
  try {
    run = applyChanges(run, o.changes);
  } catch (e) {
    if (e instanceof DockerfileParseError) throw new InvalidParameterError(e.message);
    throw e;
  }
  const running = rec.state.status === 'running';
  let paused = false;
  if (running && o.pause) {
    try {
      await containers.pause(rec.id);
      paused = true;
    } catch (e) {
      log.warn(`commit: pausing ${rec.id} failed; committing without pausing`, e);
    }
  }
  const lease = images.leases.open();
  try {
    const base: ImageConfig = images.configOf(rec.image);
    const d = containers.diffDir(rec.id);
    const entries = await listDiff(d.upper, [...d.layerDirs].reverse());
    const diffIds = [...base.rootfs.diff_ids];
    if (entries.length) diffIds.push((await images.content.ingest(diffTar(d.upper, entries), { lease })).digest);
    const created = new Date().toISOString();
    const cfg: ImageConfig = {
      architecture: base.architecture || goArch(),
      ...(o.author ? { author: o.author } : {}),
      ...(o.comment ? { comment: o.comment } : {}),
      config: compactRunConfig(run),
      container: rec.id,
      container_config: compactRunConfig(runConfigOf(rec.config)),
      created,
      docker_version: BERTH_DOCKER_VERSION,
      history: [
        ...(base.history ?? []),
        {
          created,
          ...(o.author ? { author: o.author } : {}),
          created_by: [rec.path, ...rec.args].join(' '),
          ...(o.comment ? { comment: o.comment } : {}),
          ...(entries.length ? {} : { empty_layer: true }),
        },
      ],
      os: base.os || 'linux',
      rootfs: { type: 'layers', diff_ids: diffIds },
    };
    const id = await images.addImage(Buffer.from(JSON.stringify(cfg)), lease, () => {
      throw new SystemError('layer blob missing from the content store');
    }, { parent: rec.image });
    if (o.repo) await images.tag(id, o.repo, o.tag || undefined);
    return id;
  } finally {
    lease.release();
    if (paused) await containers.unpause(rec.id).catch((e) => log.warn(`commit: unpausing ${rec.id}`, e));
  }
}
