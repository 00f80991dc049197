// Builds docker-archive tarballs (the `docker save` format) for tests that need images berth did not
// make itself: large ones for crash tests, hostile ones for the tar-safety tests, and the pre-1.10 layout
// (repositories + one folder per layer) Docker still loads. Layers are streamed
// to disk while hashed, so a multi-hundred-MB archive never sits in memory.
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Readable, PassThrough } from 'node:stream';
import tar from 'tar-stream';

/** One entry of a layer tar. `size` without `content` writes that many pseudo-random bytes. */
export interface LayerEntry {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'block-device' | 'fifo';
  content?: string | Buffer;
  size?: number;
  linkname?: string;
  mode?: number;
  devmajor?: number;
  devminor?: number;
}

export type LayerSource = { tarFile: string } | { entries: LayerEntry[] };

export interface ArchiveSpec {
  repoTags: string[];
  layers: LayerSource[];
  cmd?: string[];
  labels?: Record<string, string>;
}

/** A 1 MiB block of deterministic pseudo-random bytes (xorshift), repeated for big files. */
function noiseBlock(): Buffer {
  const b = Buffer.alloc(1024 * 1024);
  let x = 0x2545f491;
  for (let i = 0; i < b.length; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b.writeUInt32LE(x >>> 0, i);
  }
  return b;
}

async function writeLayerTar(entries: LayerEntry[], file: string): Promise<void> {
  const pack = tar.pack();
  const done = pipeline(pack, fs.createWriteStream(file));
  const mtime = new Date('2000-01-01T00:00:00Z');
  for (const e of entries) {
    const type = e.type ?? 'file';
    const header = { name: e.name, type, mode: e.mode, mtime, uid: 0, gid: 0, linkname: e.linkname, devmajor: e.devmajor, devminor: e.devminor };
    if (type === 'file' && e.content === undefined && e.size !== undefined) {
      const size = e.size;
      const block = noiseBlock();
      async function* noise() {
        for (let left = size; left > 0; left -= block.length) yield left >= block.length ? block : block.subarray(0, left);
      }
      await pipeline(Readable.from(noise()), pack.entry({ ...header, size }));
    } else if (type === 'file') {
      await new Promise<void>((resolve, reject) => pack.entry(header, e.content ?? '', (err) => (err ? reject(err) : resolve())));
    } else {
      await new Promise<void>((resolve, reject) => pack.entry(header, (err) => (err ? reject(err) : resolve())));
    }
  }
  pack.finalize();
  await done;
}

async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  await pipeline(fs.createReadStream(file), h);
  return h.digest('hex');
}

/**
 * Writes a docker-archive to `out` (legacy layout: <hex>/layer.tar, <hex>.json, manifest.json) and
 * returns the image ID Docker would give it (sha256 of the config).
 */
export async function writeDockerArchive(out: string, spec: ArchiveSpec): Promise<{ imageId: string; size: number }> {
  const work = fs.mkdtempSync(path.join(path.dirname(out), '.archive-'));
  try {
    const layers: { file: string; hex: string; size: number }[] = [];
    for (const [i, l] of spec.layers.entries()) {
      let file: string;
      if ('tarFile' in l) file = l.tarFile;
      else {
        file = path.join(work, `layer${i}.tar`);
        await writeLayerTar(l.entries, file);
      }
      layers.push({ file, hex: await sha256File(file), size: fs.statSync(file).size });
    }
    const created = '2000-01-01T00:00:00Z';
    const config = {
      architecture: 'amd64',
      os: 'linux',
      created,
      config: {
        Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
        Cmd: spec.cmd ?? ['sh'],
        Labels: spec.labels ?? {},
      },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => `sha256:${l.hex}`) },
      history: layers.map((_, i) => ({ created, created_by: `berth test layer ${i}` })),
    };
    const configJson = JSON.stringify(config);
    const configHex = createHash('sha256').update(configJson).digest('hex');
    const manifest = [{ Config: `${configHex}.json`, RepoTags: spec.repoTags, Layers: layers.map((l) => `${l.hex}/layer.tar`) }];

    const pack = tar.pack();
    const done = pipeline(pack, fs.createWriteStream(out));
    const mtime = new Date('2000-01-01T00:00:00Z');
    const add = (name: string, content: string) =>
      new Promise<void>((resolve, reject) => pack.entry({ name, mtime }, content, (err) => (err ? reject(err) : resolve())));
    for (const l of layers) {
      await new Promise<void>((resolve, reject) => pack.entry({ name: `${l.hex}/`, type: 'directory', mtime }, (err) => (err ? reject(err) : resolve())));
      await pipeline(fs.createReadStream(l.file), pack.entry({ name: `${l.hex}/layer.tar`, size: l.size, mtime }));
    }
    await add(`${configHex}.json`, configJson);
    await add('manifest.json', JSON.stringify(manifest));
    pack.finalize();
    await done;
    return { imageId: `sha256:${configHex}`, size: fs.statSync(out).size };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** One layer of a pre-1.10 archive: its tar and the v1 JSON fields besides `id` and `parent`. */
export interface LegacyLayerSpec {
  layer: LayerSource;
  /** v1 image JSON fields (created, container_config, config, docker_version, author, comment...). */
  json?: Record<string, unknown>;
}

export interface LegacyArchiveSpec {
  /** Layers bottom first; each names the one before it as its parent. */
  layers: LegacyLayerSpec[];
  /** `repositories` as written, e.g. {"legacy": {"v1": "<top id>"}}; default: `repoTags` on the top layer. */
  repositories?: Record<string, Record<string, string>>;
  repoTags?: string[];
  /** Skip writing these layers' folders (a chain with a hole). */
  omit?: number[];
}

/**
 * Writes a `docker save` archive as Docker before 1.10 wrote it: `repositories` and per layer a folder
 * `<v1 id>/` with `VERSION` ("1.0"), `json` (the v1 image JSON naming its parent) and `layer.tar`; no
 * manifest.json. The v1 IDs are random-looking hex made from the layer's place and JSON. Returns them.
 */
export async function writeLegacyArchive(out: string, spec: LegacyArchiveSpec): Promise<{ layerIds: string[] }> {
  const work = fs.mkdtempSync(path.join(path.dirname(out), '.legacy-'));
  try {
    const ids: string[] = [];
    const folders: { id: string; json: string; file: string; size: number }[] = [];
    for (const [i, l] of spec.layers.entries()) {
      let file: string;
      if ('tarFile' in l.layer) file = l.layer.tarFile;
      else {
        file = path.join(work, `layer${i}.tar`);
        await writeLayerTar(l.layer.entries, file);
      }
      const id = createHash('sha256').update(`legacy layer ${i} ${JSON.stringify(l.json ?? {})}`).digest('hex');
      const size = fs.statSync(file).size;
      const json = JSON.stringify({ id, ...(i > 0 ? { parent: ids[i - 1] } : {}), ...(l.json ?? {}), Size: size });
      ids.push(id);
      if (!spec.omit?.includes(i)) folders.push({ id, json, file, size });
    }
    const top = ids[ids.length - 1]!;
    const repositories = spec.repositories ?? {};
    if (!spec.repositories) {
      for (const t of spec.repoTags ?? []) {
        const at = t.lastIndexOf(':');
        const [repo, tag] = at > 0 && !t.slice(at).includes('/') ? [t.slice(0, at), t.slice(at + 1)] : [t, 'latest'];
        (repositories[repo] ??= {})[tag] = top;
      }
    }
    const pack = tar.pack();
    const done = pipeline(pack, fs.createWriteStream(out));
    const mtime = new Date('2015-06-01T00:00:00Z');
    const add = (name: string, content: string) =>
      new Promise<void>((resolve, reject) => pack.entry({ name, mtime }, content, (err) => (err ? reject(err) : resolve())));
    for (const f of folders) {
      await new Promise<void>((resolve, reject) => pack.entry({ name: `${f.id}/`, type: 'directory', mtime }, (err) => (err ? reject(err) : resolve())));
      await add(`${f.id}/VERSION`, '1.0');
      await add(`${f.id}/json`, f.json);
      await pipeline(fs.createReadStream(f.file), pack.entry({ name: `${f.id}/layer.tar`, size: f.size, mtime }));
    }
    await add('repositories', JSON.stringify(repositories));
    pack.finalize();
    await done;
    return { layerIds: ids };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** A readable over `file` that calls `onProgress(sentBytes)` as it goes (for killing mid-upload). */
export function progressStream(file: string, onProgress: (sent: number) => void): Readable {
  let sent = 0;
  const pass = new PassThrough();
  fs.createReadStream(file)
    .on('data', (c) => {
      sent += (c as Buffer).length;
      onProgress(sent);
    })
    .pipe(pass);
  return pass;
}
