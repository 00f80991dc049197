// The push/pull benchmark: a ~100 MB image of 5 layers (20 MiB of random bytes each, made here and
// loaded into both engines from the same docker-archive) pushed to and pulled from a registry over
// loopback with the same docker CLI, interleaved in one run:
//   berth  = berthd         + berth-registry
//   docker = dockerd 20.10  + Debian's docker-registry (distribution 2.8)
// Each round starts a fresh, empty registry for each pair (so every layer is really sent: no
// "Layer already exists", no cross-repository mount), times `docker push`, removes the image locally,
// and times `docker pull` of it back.
//
//   npm run bench:distribution -- [--runs N] [--no-dockerd] [--no-readme]
//
// Prints a table, writes bench/results/distribution.json and puts the table into README.md between
// the distribution-bench markers.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { pathToFileURL } from 'node:url';
import tar from 'tar-stream';
import { TestDaemon, TestRegistry, run, REPO, DOCKER_BIN } from '../test/harness/index.js';
import { ReferenceRegistry } from '../test/harness/reference-registry.js';
import { median } from './stats.js';
import { renderTable, type Row } from './report.js';
import { parseSideBenchArgs } from './options.js';

const START = '<!-- distribution-bench:start -->';
const END = '<!-- distribution-bench:end -->';
const LAYERS = 5;
const LAYER_MB = 20;
const IMAGE = 'bench/dist:v1';

const log = (m: string) => process.stderr.write(`bench-distribution: ${m}\n`);

/** One layer tar holding one file of random bytes; returns its bytes (20 MiB: fine in memory). */
async function layerTar(i: number): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on("data", (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((r) => pack.on("end", () => r()));
  pack.entry({ name: `data${i}/`, type: 'directory', mode: 0o755, mtime: new Date(0) });
  pack.entry({ name: `data${i}/random.bin`, mode: 0o644, mtime: new Date(0) }, crypto.randomBytes(LAYER_MB * 1024 * 1024));
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** A classic docker-archive (manifest.json + config + layer tars) of the bench image. */
export async function makeArchive(file: string): Promise<void> {
  const layers: Buffer[] = [];
  for (let i = 0; i < LAYERS; i++) layers.push(await layerTar(i));
  const diffIds = layers.map((l) => `sha256:${crypto.createHash('sha256').update(l).digest('hex')}`);
  const created = new Date().toISOString();
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created,
      config: { Cmd: ['sh'], Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] },
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: layers.map((_, i) => ({ created, created_by: `bench layer ${i}` })),
    }),
  );
  const cfgName = `${crypto.createHash('sha256').update(config).digest('hex')}.json`;
  const pack = tar.pack();
  const out = fs.createWriteStream(file);
  pack.pipe(out);
  const entry = (name: string, data: Buffer) => new Promise<void>((res, rej) => pack.entry({ name, mode: 0o644, mtime: new Date(0) }, data, (e) => (e ? rej(e) : res())));
  await entry(cfgName, config);
  for (let i = 0; i < LAYERS; i++) await entry(`layer${i}.tar`, layers[i]!);
  await entry('manifest.json', Buffer.from(JSON.stringify([{ Config: cfgName, RepoTags: [IMAGE], Layers: layers.map((_, i) => `layer${i}.tar`) }])));
  pack.finalize();
  await new Promise<void>((r) => out.on("close", () => r()));
}

interface Pair {
  name: 'berthd' | 'dockerd';
  d: TestDaemon;
  /** A fresh empty registry; returns its host and a stop function. */
  registry(): Promise<{ host: string; stop(): Promise<void> }>;
}

async function main(): Promise<void> {
  const { runs, withDockerd, readme } = parseSideBenchArgs(process.argv.slice(2));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-bench-dist-'));
  const archive = path.join(tmp, 'image.tar');
  log(`making a ${LAYERS}-layer image of ${LAYERS * LAYER_MB} MiB of random bytes`);
  await makeArchive(archive);

  const pairs: Pair[] = [];
  const cleanup = async () => {
    for (const p of pairs) await p.d.cleanup().catch((err) => log(`cleanup ${p.name}: ${(err as Error).message}`));
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
  const docker = async (p: Pair, args: string[]) => {
    const r = await run(DOCKER_BIN, args, { env: p.d.env, timeout: 600_000 });
    if (r.code !== 0) throw new Error(`${p.name}: docker ${args.join(' ')}: ${r.stderr.slice(0, 800)}`);
    return r;
  };
  try {
    for (const name of withDockerd ? (['berthd', 'dockerd'] as const) : (['berthd'] as const)) {
      const d = new TestDaemon({ engine: name, startTimeout: 60_000, busybox: false });
      const pair: Pair = {
        name,
        d,
        registry:
          name === 'berthd'
            ? async () => {
                const r = new TestRegistry([], fs.mkdtempSync(path.join(tmp, 'berth-registry-')));
                await r.start();
                return { host: r.host, stop: () => r.cleanup() };
              }
            : async () => {
                const r = new ReferenceRegistry();
                await r.start();
                return { host: r.host, stop: () => r.cleanup() };
              },
      };
      pairs.push(pair);
      await d.start();
      await docker(pair, ['load', '-q', '-i', archive]);
    }
    const samples: Record<string, Record<string, number[]>> = {};
    const time = async (p: Pair, metric: string, args: string[]) => {
      const t0 = process.hrtime.bigint();
      await docker(p, args);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      ((samples[metric] ??= {})[p.name] ??= []).push(ms);
      return ms;
    };
    for (let round = 0; round < runs; round++) {
      for (const p of round % 2 ? [...pairs].reverse() : pairs) {
        const reg = await p.registry();
        try {
          const name = `${reg.host}/bench/dist:v1`;
          await docker(p, ['tag', IMAGE, name]);
          const push = await time(p, `push ${LAYERS} layers, ${LAYERS * LAYER_MB} MiB`, ['push', name]);
          // Remove the image (both names) so that the pull must fetch and unpack every layer.
          await docker(p, ['rmi', name, IMAGE]);
          const pull = await time(p, `pull ${LAYERS} layers, ${LAYERS * LAYER_MB} MiB`, ['pull', name]);
          await docker(p, ['tag', name, IMAGE]);
          await docker(p, ['rmi', name]);
          log(`round ${round + 1}/${runs} ${p.name}: push ${push.toFixed(0)} ms, pull ${pull.toFixed(0)} ms`);
        } finally {
          await reg.stop();
        }
      }
    }
    const rows: Row[] = Object.entries(samples).map(([metric, by]) => {
      const b = by['berthd'] ? median(by['berthd']) : undefined;
      const dd = by['dockerd'] ? median(by['dockerd']) : undefined;
      return { metric: `${metric} (median)`, ...(b !== undefined ? { berthd: b } : {}), ...(dd !== undefined ? { dockerd: dd } : {}), ...(b !== undefined && dd !== undefined ? { ratio: b / dd } : {}) };
    });
    const table = renderTable(rows, {});
    const note =
      `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${os.availableParallelism()} cores, ${runs} interleaved rounds, docker CLI 28 for both; ` +
      `berthd pushes to and pulls from berth-registry, dockerd 20.10 from Debian's docker-registry 2.8, each a fresh empty registry on 127.0.0.1 per round.`;
    console.log(table + '\n\n' + note);
    const out = path.join(REPO, 'bench', 'results', 'distribution.json');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify({ measuredAt: new Date().toISOString(), runs, layers: LAYERS, layerMiB: LAYER_MB, samples, rows }, null, 2) + '\n');
    if (readme) {
      const p = path.join(REPO, 'README.md');
      const text = fs.readFileSync(p, 'utf8');
      const a = text.indexOf(START);
      const b = text.indexOf(END);
      if (a >= 0 && b > a) fs.writeFileSync(p, `${text.slice(0, a + START.length)}\n${table}\n\n${note}\n${text.slice(b)}`);
      else log('README.md has no distribution-bench markers: table not written there');
    }
  } finally {
    await cleanup();
  }
}

// Run only as the bench script, not when imported (makeArchive is reused by profiling scripts).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
