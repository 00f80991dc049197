// The registry benchmark: manifest GETs per second against berth-registry and against Debian's
// docker-registry (distribution 2.8, the reference) on 127.0.0.1, in the same run. The same image
// (the busybox rootfs as one gzip layer) is pushed to both; then rounds alternate between the two
// registries (the order flips every round, since timings drift on a shared machine), each a bounded
// load from autocannon (a well-kept HTTP load generator) of fixed length and connection count:
//   by tag      GET /v2/bench/busybox/manifests/latest   (tag -> digest -> manifest)
//   by digest   GET /v2/bench/busybox/manifests/sha256:… (what a pull of a pinned image asks)
// Medians of the rounds, and the ratio berth-registry / docker-registry (higher is better).
//
//   npm run bench:registry -- [--rounds N] [--seconds S] [--connections C] [--no-readme]
//
// Prints a table, writes bench/results/registry.json and puts the table into README.md between the
// registry-bench markers.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import zlib from 'node:zlib';
import crypto from 'node:crypto';
import autocannon from 'autocannon';
import { TestRegistry, REPO, BUSYBOX_TAR } from '../test/harness/index.js';
import { ReferenceRegistry } from '../test/harness/reference-registry.js';
import { median } from './stats.js';

const START = '<!-- registry-bench:start -->';
const END = '<!-- registry-bench:end -->';
const MANIFEST_TYPE = 'application/vnd.docker.distribution.manifest.v2+json';

const log = (m: string) => process.stderr.write(`bench-registry: ${m}\n`);

interface Options {
  rounds: number;
  seconds: number;
  connections: number;
  readme: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { rounds: 5, seconds: 5, connections: 16, readme: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const num = () => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 1) throw new Error(`${a} needs a positive integer`);
      return v;
    };
    if (a === '--rounds') o.rounds = num();
    else if (a === '--seconds') o.seconds = num();
    else if (a === '--connections') o.connections = num();
    else if (a === '--no-readme') o.readme = false;
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

const sha256 = (b: Buffer) => `sha256:${crypto.createHash('sha256').update(b).digest('hex')}`;

function request(host: string, method: string, p: string, body?: Buffer, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  const [hostname, port] = host.split(':');
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port: Number(port), method, path: p, agent: false, timeout: 60_000, headers: { ...headers, ...(body ? { 'Content-Length': String(body.length) } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${p} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** The image both registries get: the busybox rootfs as one gzip layer, a config, a schema 2 manifest. */
function benchImage(): { layer: Buffer; config: Buffer; manifest: Buffer } {
  const tar = fs.readFileSync(BUSYBOX_TAR);
  const layer = zlib.gzipSync(tar);
  const config = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['sh'] }, rootfs: { type: 'layers', diff_ids: [sha256(tar)] }, history: [{ created_by: 'bench' }] }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MANIFEST_TYPE,
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: sha256(config) },
      layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: layer.length, digest: sha256(layer) }],
    }),
  );
  return { layer, config, manifest };
}

/** Pushes the image the way clients do: POST an upload, PUT each blob with its digest, PUT the manifest. */
async function push(host: string, img: ReturnType<typeof benchImage>): Promise<string> {
  for (const blob of [img.config, img.layer]) {
    const start = await request(host, 'POST', '/v2/bench/busybox/blobs/uploads/');
    if (start.status !== 202) throw new Error(`${host}: upload start ${start.status} ${start.text}`);
    const loc = new URL(start.headers.location as string, `http://${host}`);
    loc.searchParams.set('digest', sha256(blob));
    const put = await request(host, 'PUT', `${loc.pathname}${loc.search}`, blob, { 'Content-Type': 'application/octet-stream' });
    if (put.status !== 201) throw new Error(`${host}: blob PUT ${put.status} ${put.text}`);
  }
  const m = await request(host, 'PUT', '/v2/bench/busybox/manifests/latest', img.manifest, { 'Content-Type': MANIFEST_TYPE });
  if (m.status !== 201) throw new Error(`${host}: manifest PUT ${m.status} ${m.text}`);
  return m.headers['docker-content-digest'] as string;
}

/** Requests per second of one bounded autocannon run; throws if anything but 2xx came back. */
async function load(url: string, method: 'GET', o: Options): Promise<{ rps: number; p99: number }> {
  const r = await autocannon({ url, method, duration: o.seconds, connections: o.connections, timeout: 10, headers: { Accept: MANIFEST_TYPE } });
  if (r.non2xx > 0 || r.errors > 0 || r.timeouts > 0) throw new Error(`${url}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts`);
  return { rps: r.requests.average, p99: r.latency.p99 };
}

type Name = 'berth-registry' | 'docker-registry';

function renderTable(rows: { metric: string; berth: number; ref: number; unit: string }[]): string {
  const fmt = (v: number, unit: string) => (unit === 'req/s' ? `${Math.round(v)} req/s` : `${v.toFixed(1)} ms`);
  const header = ['', 'berth-registry', 'docker-registry 2.8', 'berth / docker-registry'];
  const body = rows.map((r) => [r.metric, fmt(r.berth, r.unit), fmt(r.ref, r.unit), `${(r.berth / r.ref).toFixed(2)}×`]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cols: string[]) => `| ${cols.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const sep = `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|')}|`;
  return [line(header), sep, ...body.map(line)].join('\n');
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const ours = new TestRegistry(['--log-level', 'warn']);
  const ref = new ReferenceRegistry();
  const cleanup = async () => {
    await ours.cleanup().catch((e) => log(`cleanup berth-registry: ${(e as Error).message}`));
    await ref.cleanup().catch((e) => log(`cleanup docker-registry: ${(e as Error).message}`));
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
  try {
    await ours.start();
    await ref.start();
    const loadBefore = os.loadavg()[0]!;
    const img = benchImage();
    const hosts: Record<Name, string> = { 'berth-registry': ours.host, 'docker-registry': ref.host };
    const digests = { 'berth-registry': await push(ours.host, img), 'docker-registry': await push(ref.host, img) };
    if (digests['berth-registry'] !== digests['docker-registry']) throw new Error(`the registries disagree on the manifest digest: ${JSON.stringify(digests)}`);
    const digest = digests['berth-registry'];
    log(`pushed bench/busybox (${img.layer.length} byte layer) to both, manifest ${digest}`);
    const targets: { metric: string; path: string; method: 'GET' }[] = [
      { metric: 'manifest GET by tag', path: '/v2/bench/busybox/manifests/latest', method: 'GET' },
      { metric: 'manifest GET by digest', path: `/v2/bench/busybox/manifests/${digest}`, method: 'GET' },
    ];
    const samples: Record<string, Record<Name, { rps: number[]; p99: number[] }>> = {};
    const order: Name[] = ['berth-registry', 'docker-registry'];
    // A short warm-up of each (caches filled, the JIT warm), not counted.
    for (const n of order) for (const t of targets) await load(`http://${hosts[n]}${t.path}`, t.method, { ...o, seconds: 1 });
    for (let round = 0; round < o.rounds; round++) {
      for (const n of round % 2 ? [...order].reverse() : order) {
        for (const t of targets) {
          const r = await load(`http://${hosts[n]}${t.path}`, t.method, o);
          const s = ((samples[t.metric] ??= {} as Record<Name, { rps: number[]; p99: number[] }>)[n] ??= { rps: [], p99: [] });
          s.rps.push(r.rps);
          s.p99.push(r.p99);
        }
      }
      log(`round ${round + 1}/${o.rounds} done`);
    }
    const rows = targets.flatMap((t) => {
      const s = samples[t.metric]!;
      return [
        { metric: `${t.metric} (median)`, berth: median(s['berth-registry'].rps), ref: median(s['docker-registry'].rps), unit: 'req/s' },
        { metric: `${t.metric}, p99 latency (median)`, berth: median(s['berth-registry'].p99), ref: median(s['docker-registry'].p99), unit: 'ms' },
      ];
    });
    const table = renderTable(rows);
    // The machine is shared: its load says how much the absolute figures are worth (the ratio, from
    // interleaved rounds, is the figure to compare).
    const loadAfter = os.loadavg()[0]!;
    const note =
      `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${os.availableParallelism()} cores: ${o.rounds} interleaved rounds of ` +
      `${o.seconds} s × ${o.connections} connections per target (autocannon, in the bench's process), both registries on 127.0.0.1 with filesystem storage ` +
      `(docker-registry with its in-memory blob descriptor cache); 1-minute load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after. ` +
      `For latency lower is better, so its ratio below 1 is the good side.`;
    console.log(`${table}\n\n${note}`);
    const out = path.join(REPO, 'bench', 'results', 'registry.json');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify({ measuredAt: new Date().toISOString(), options: o, loadAverage: { before: loadBefore, after: loadAfter }, digest, samples, rows }, null, 2) + '\n');
    if (o.readme) {
      const p = path.join(REPO, 'README.md');
      const text = fs.readFileSync(p, 'utf8');
      const a = text.indexOf(START);
      const b = text.indexOf(END);
      if (a >= 0 && b > a) fs.writeFileSync(p, `${text.slice(0, a + START.length)}\n${table}\n\n${note}\n${text.slice(b)}`);
      else log('README.md has no registry-bench markers: table not written there');
    }
  } finally {
    await cleanup();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
