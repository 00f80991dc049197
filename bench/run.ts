// berth's benchmark: berthd against a real dockerd 20.10 and the bare `runc run` floor, side by side in
// one run with the measurements interleaved (timings on these shared machines drift 10–25% within a
// quarter of an hour, so figures from separate runs are not comparable). Each engine gets its own
// roots, socket and bridge; everything is removed afterwards.
//
//   npm run bench -- [--runs N] [--ps-containers 200] [--mem-containers 50] [--no-dockerd] [--no-readme]
//                    [--only SECTION,...]   sections: run lifecycle ps memory parallel network services tls
//
// Prints a table, writes bench/results/latest.json and puts the table into README.md between the
// bench markers.
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { TestDaemon, run, sleep, REPO, BUSYBOX_TAR, DOCKER_BIN, DOCKERD_BIN, type RunResult } from '../test/harness/index.js';
import autocannon from 'autocannon';
import WebSocket from 'ws';
import { median, percentile } from './stats.js';
import { processMemory, sumMemory, helperPids, cpuMs, cpuWithChildrenMs, type Memory } from './memory.js';
import { renderTable, writeReadmeTable, type Row } from './report.js';

interface Options {
  runs: number;
  psContainers: number;
  memContainers: number;
  parallelRuns: number;
  loadSeconds: number;
  loadConnections: number;
  healthContainers: number;
  dockerd: boolean;
  readme: boolean;
  out: string;
  /** Sections to run (all when null): for iterating on one figure. */
  only: Set<string> | null;
}

const SECTIONS = ['run', 'lifecycle', 'ps', 'memory', 'parallel', 'network', 'services', 'tls'];

function parseArgs(argv: string[]): Options {
  const o: Options = { runs: 20, psContainers: 200, memContainers: 50, parallelRuns: 600, loadSeconds: 5, loadConnections: 8, healthContainers: 50, dockerd: true, readme: true, out: path.join(REPO, 'bench', 'results', 'latest.json'), only: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const num = () => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 1) throw new Error(`${a} needs a positive integer`);
      return v;
    };
    if (a === '--runs') o.runs = num();
    else if (a === '--ps-containers') o.psContainers = num();
    else if (a === '--mem-containers') o.memContainers = num();
    else if (a === '--parallel-runs') o.parallelRuns = num();
    else if (a === '--load-seconds') o.loadSeconds = num();
    else if (a === '--load-connections') o.loadConnections = num();
    else if (a === '--health-containers') o.healthContainers = num();
    else if (a === '--no-dockerd') o.dockerd = false;
    else if (a === '--no-readme') o.readme = false;
    else if (a === '--out') o.out = path.resolve(argv[++i]!);
    else if (a === '--only') {
      o.only = new Set((argv[++i] ?? '').split(',').filter(Boolean));
      for (const x of o.only) if (!SECTIONS.includes(x)) throw new Error(`--only: unknown section ${x} (${SECTIONS.join(' ')})`);
    }
    else if (a === '--help' || a === '-h') {
      console.log('usage: npm run bench -- [--runs N] [--ps-containers N] [--mem-containers N] [--parallel-runs N] [--load-seconds N] [--load-connections N] [--health-containers N] [--no-dockerd] [--no-readme] [--out FILE] [--only SECTION,...]');
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  return o;
}

type EngineName = 'berthd' | 'dockerd';
interface Engine {
  name: EngineName;
  d: TestDaemon;
  failures: Record<string, { count: number; first: string }>;
  /** Spawn to first answered /_ping, on empty roots. */
  startupMs: number;
}

const log = (msg: string) => process.stderr.write(`bench: ${msg}\n`);

/** Wall-clock milliseconds of one command; failures are counted, not fatal. */
async function timed(e: Engine | undefined, what: string, cmd: string, args: string[], env?: Record<string, string | undefined>): Promise<{ ms: number; r: RunResult } | undefined> {
  const t0 = process.hrtime.bigint();
  const r = await run(cmd, args, { env, timeout: 120_000 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.code !== 0) {
    if (e) {
      const f = (e.failures[what] ??= { count: 0, first: `${args.join(' ')}: exit ${r.code}: ${r.stderr.trim().slice(0, 300)}` });
      f.count++;
    }
    return undefined;
  }
  return { ms, r };
}

const docker = (e: Engine, what: string, args: string[]) => timed(e, what, DOCKER_BIN, args, e.d.env);

/**
 * Requests per second against one URL, from autocannon (a well-kept HTTP load generator), bounded by
 * time; 0 when nothing answered. Only 127.0.0.1 and the bench's own containers are ever targets.
 */
async function load(url: string, seconds: number, connections: number): Promise<number> {
  const r = await autocannon({ url, duration: seconds, connections, timeout: 5 });
  return r.non2xx > 0 && r.requests.average === 0 ? 0 : r.requests.average;
}

/** Runs `fn` over `items` with at most `limit` at once. */
async function parallel<T>(items: readonly T[], limit: number, fn: (x: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

/** A runc bundle with the busybox rootfs whose process is `true` (runc's default spec has its own netns). */
async function makeRuncBundle(dir: string): Promise<void> {
  fs.mkdirSync(path.join(dir, 'rootfs'), { recursive: true });
  const x = await run('tar', ['-C', path.join(dir, 'rootfs'), '-xf', BUSYBOX_TAR]);
  if (x.code !== 0) throw new Error(`extracting the busybox rootfs: ${x.stderr}`);
  const spec = await run('runc', ['spec', '--bundle', dir]);
  if (spec.code !== 0) throw new Error(`runc spec: ${spec.stderr}`);
  const file = path.join(dir, 'config.json');
  const cfg = JSON.parse(fs.readFileSync(file, 'utf8'));
  cfg.process.terminal = false;
  cfg.process.args = ['true'];
  fs.writeFileSync(file, JSON.stringify(cfg, null, 2));
}

async function startEngine(name: EngineName): Promise<Engine | undefined> {
  // Both daemons log at warn level here (the test harness runs berthd at debug level, dockerd at
  // warn): a debug line per exec or request is CPU the figures must not charge to one side only.
  const d = new TestDaemon({ engine: name, startTimeout: 60_000, ...(name === 'berthd' ? { args: ['--log-level', 'warn'] } : {}) });
  try {
    const t0 = process.hrtime.bigint();
    await d.start();
    const startupMs = Number(process.hrtime.bigint() - t0) / 1e6;
    await d.importBusybox();
    return { name, d, failures: {}, startupMs };
  } catch (e) {
    log(`${name} unavailable: ${(e as Error).message.split('\n')[0]}`);
    await d.cleanup().catch(() => undefined);
    return undefined;
  }
}

/** The daemon alone, and the daemon with its helpers (conmon; containerd and shims). */
function engineMemory(e: Engine): { daemon: Memory; total: Memory } {
  const daemon = processMemory(e.d.pid!);
  const helpers = sumMemory(helperPids(e.d.base, e.name, e.d.pid));
  return { daemon, total: { rssKiB: daemon.rssKiB + helpers.rssKiB, pssKiB: daemon.pssKiB + helpers.pssKiB, processes: 1 + helpers.processes } };
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const want = (section: string) => !o.only || o.only.has(section);
  if (!fs.existsSync(BUSYBOX_TAR)) throw new Error(`${BUSYBOX_TAR} missing: run npm run setup`);
  const startedAt = new Date();
  const engines: Engine[] = [];
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-bench-'));
  const samples: Record<string, Record<string, number[]>> = {};
  const add = (metric: string, who: string, ms: number) => ((samples[metric] ??= {})[who] ??= []).push(ms);
  const memory: Record<string, Record<string, { daemon: Memory; total: Memory }>> = {};

  const cleanup = async () => {
    for (const e of engines) await e.d.cleanup().catch((err) => log(`cleanup ${e.name}: ${(err as Error).message}`));
    await run('runc', ['--root', path.join(work, 'runc-state'), 'list', '-q']).then(async (l) => {
      for (const id of l.stdout.split('\n').filter(Boolean)) await run('runc', ['--root', path.join(work, 'runc-state'), 'delete', '-f', id]);
    });
    fs.rmSync(work, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));

  try {
    log('starting berthd' + (o.dockerd ? ' and dockerd' : '') + ' with their own roots');
    const berthd = await startEngine('berthd');
    if (berthd) engines.push(berthd);
    if (o.dockerd && fs.existsSync(DOCKERD_BIN)) {
      const dockerd = await startEngine('dockerd');
      if (dockerd) engines.push(dockerd);
    }
    for (const e of engines) add('daemon start-up (to /_ping)', e.name, e.startupMs);
    const bundle = path.join(work, 'bundle');
    await makeRuncBundle(bundle);
    const runcRoot = path.join(work, 'runc-state');

    // Idle memory: after start-up and the import, before any container ran.
    await sleep(2000);
    for (const e of engines) (memory['idle'] ??= {})[e.name] = engineMemory(e);

    if (want('run')) { // --only
    // 1. docker run --rm --network none busybox true, interleaved with the runc floor.
    log(`run --rm: ${o.runs} rounds, interleaved`);
    for (const e of engines) await docker(e, 'warm-up', ['run', '--rm', '--network', 'none', 'busybox', 'true']);
    for (let i = 0; i < o.runs; i++) {
      const order = i % 2 === 0 ? engines : [...engines].reverse();
      for (const e of order) {
        const t = await docker(e, 'run --rm', ['run', '--rm', '--network', 'none', 'busybox', 'true']);
        if (t) add('run --rm', e.name, t.ms);
      }
      const f = await timed(undefined, 'runc run', 'runc', ['--root', runcRoot, 'run', '--bundle', bundle, `bench-${process.pid}-${i}`]);
      if (f) add('run --rm', 'runc', f.ms);
      if (berthd) {
        const b = await timed(berthd, 'berth run --rm', process.execPath, [path.join(REPO, 'bin', 'berth'), 'run', '--rm', '--network', 'none', 'busybox', 'true'], berthd.d.env);
        if (b) add('run --rm (berth CLI)', 'berthd', b.ms);
      }
    }

    } // run

    if (want('lifecycle')) { // --only
    // 2. The lifecycle steps one by one: create, start, stop (a shell that exits on TERM), rm.
    log(`create/start/stop/rm: ${o.runs} rounds, interleaved`);
    for (let i = 0; i < o.runs; i++) {
      const order = i % 2 === 0 ? engines : [...engines].reverse();
      for (const e of order) {
        const c = await docker(e, 'create', ['create', '--network', 'none', 'busybox', 'sh', '-c', 'trap "exit 0" TERM; sleep 3600 & wait']);
        if (!c) continue;
        add('create', e.name, c.ms);
        const id = c.r.stdout.trim();
        const s = await docker(e, 'start', ['start', id]);
        if (s) add('start', e.name, s.ms);
        const x = await docker(e, 'exec', ['exec', id, 'true']);
        if (x) add('exec', e.name, x.ms);
        await sleep(100); // let the shell install its trap
        const st = await docker(e, 'stop', ['stop', id]);
        if (st) add('stop', e.name, st.ms);
        const rm = await docker(e, 'rm', ['rm', '-f', id]);
        if (rm) add('rm', e.name, rm.ms);
      }
    }

    } // lifecycle

    if (want('ps')) { // --only
    // 3. ps -a with many (created) containers.
    log(`ps -a with ${o.psContainers} containers`);
    for (const e of engines) {
      await parallel(Array.from({ length: o.psContainers }, (_, i) => i), 4, (i) => docker(e, 'create (ps)', ['create', '--network', 'none', '--name', `ps-${i}`, 'busybox', 'true']));
    }
    for (let i = 0; i < o.runs; i++) {
      for (const e of i % 2 === 0 ? engines : [...engines].reverse()) {
        const t = await docker(e, 'ps', ['ps', '-a']);
        if (t) add(`ps -a (${o.psContainers} containers)`, e.name, t.ms);
      }
    }
    for (const e of engines) {
      const ids = (await docker(e, 'ps -q', ['ps', '-a', '-q']))?.r.stdout.split('\n').filter(Boolean) ?? [];
      for (let k = 0; k < ids.length; k += 50) await docker(e, 'rm (ps)', ['rm', '-f', ...ids.slice(k, k + 50)]);
    }

    } // ps

    if (want('memory')) { // --only
    // 4. Memory with N running containers.
    log(`memory with ${o.memContainers} running containers`);
    for (const e of engines) {
      await parallel(Array.from({ length: o.memContainers }, (_, i) => i), 4, (i) => docker(e, 'run -d (mem)', ['run', '-d', '--network', 'none', '--name', `mem-${i}`, 'busybox', 'sleep', '3600']));
      await sleep(2000);
      (memory['running'] ??= {})[e.name] = engineMemory(e);
      const ids = (await docker(e, 'ps -q', ['ps', '-a', '-q']))?.r.stdout.split('\n').filter(Boolean) ?? [];
      for (let k = 0; k < ids.length; k += 25) await docker(e, 'rm (mem)', ['rm', '-f', ...ids.slice(k, k + 25)]);
    }

    } // memory

    if (want('parallel')) { // --only
    // 5. Parallel runs, 30 at a time: how many fail (issue 7: one in six did, from a start race), and
    //    the wall time of the whole batch. Engines one after the other, same batch size.
    log(`parallel run --rm: ${o.parallelRuns} runs, 30 at a time`);
    for (const e of engines) {
      let failed = 0;
      const t0 = process.hrtime.bigint();
      await parallel(Array.from({ length: o.parallelRuns }, (_, i) => i), 30, async () => {
        const r = await docker(e, 'parallel run --rm', ['run', '--rm', '--network', 'none', 'busybox', 'true']);
        if (!r) failed++;
      });
      add(`parallel run --rm: failures of ${o.parallelRuns}, 30 at a time`, e.name, failed);
      add(`parallel run --rm: wall time of ${o.parallelRuns}, 30 at a time`, e.name, Number(process.hrtime.bigint() - t0) / 1e6);
    }

    } // parallel

    if (want('network')) { // --only
    // 6. Networking: run --rm on the default bridge (and the bridge's cost over --network none, per
    //    engine), network create, and throughput through a published port on 127.0.0.1 against the
    //    same server at the container's own address.
    log(`networking: ${o.runs} rounds, interleaved`);
    for (let i = 0; i < o.runs; i++) {
      for (const e of i % 2 === 0 ? engines : [...engines].reverse()) {
        const b = await docker(e, 'run --rm (bridge)', ['run', '--rm', 'busybox', 'true']);
        if (b) add('run --rm on the default bridge', e.name, b.ms);
        const n = await docker(e, 'run --rm (none)', ['run', '--rm', '--network', 'none', 'busybox', 'true']);
        if (n) add('run --rm with --network none (same rounds)', e.name, n.ms);
        const c = await docker(e, 'network create', ['network', 'create', `bench-net-${i}`]);
        if (c) add('network create', e.name, c.ms);
        await docker(e, 'network rm', ['network', 'rm', `bench-net-${i}`]);
      }
    }
    for (const e of engines) {
      const bridge = samples['run --rm on the default bridge']?.[e.name];
      const none = samples['run --rm with --network none (same rounds)']?.[e.name];
      if (bridge?.length && none?.length) add('bridge cost (bridge − none, medians)', e.name, median(bridge) - median(none));
    }
    log(`published port throughput: ${o.loadSeconds} s per target, ${o.loadConnections} connections`);
    for (const e of engines) {
      const c = await docker(e, 'run -d (httpd)', ['run', '-d', '-p', '127.0.0.1::80', 'busybox', 'httpd', '-f', '-p', '80', '-h', '/etc']);
      if (!c) continue;
      const id = c.r.stdout.trim();
      const port = Number((await docker(e, 'port', ['port', id, '80/tcp']))?.r.stdout.trim().split(':').pop());
      const ip = (await docker(e, 'inspect', ['inspect', '-f', '{{.NetworkSettings.IPAddress}}', id]))?.r.stdout.trim();
      await sleep(300);
      const published = await load(`http://127.0.0.1:${port}/hostname`, o.loadSeconds, o.loadConnections);
      const direct = ip ? await load(`http://${ip}:80/hostname`, o.loadSeconds, o.loadConnections) : 0;
      add('requests/s through a port published on 127.0.0.1', e.name, published);
      add('requests/s at the container\'s own address', e.name, direct);
      if (direct > 0) add('published port: share of direct throughput', e.name, (100 * published) / direct);
      await docker(e, 'rm (httpd)', ['rm', '-f', id]);
    }

    } // network

    if (want('services')) { // --only
    // 7. Containers as services: what a crash-looping --restart=always container and 50 containers
    //    probed every second cost the daemon itself (CPU % of one core over a window), and the
    //    latency of `docker stats --no-stream` over those 50.
    log(`services: a restart loop, ${o.healthContainers} healthchecked containers, stats`);
    const windowMs = 10_000;
    const daemonCpu = async (e: Engine, what: () => Promise<void>) => {
      const before = cpuMs(e.d.pid!);
      const t0 = Date.now();
      await what();
      return (100 * (cpuMs(e.d.pid!) - before)) / (Date.now() - t0);
    };
    for (const e of engines) {
      const loop = await docker(e, 'run -d (restart loop)', ['run', '-d', '--restart=always', 'busybox', 'true']);
      if (loop) {
        await sleep(1000);
        add('daemon CPU with one crash-looping --restart=always container (% of a core)', e.name, await daemonCpu(e, () => sleep(windowMs)));
        await docker(e, 'rm (restart loop)', ['rm', '-f', loop.r.stdout.trim()]);
      }
      await parallel(Array.from({ length: o.healthContainers }, (_, i) => i), 4, (i) =>
        docker(e, 'run -d (health)', ['run', '-d', '--name', `health-${i}`, '--health-cmd', 'true', '--health-interval', '1s', 'busybox', 'sleep', '3600']),
      );
      // The steady state is what is measured: the window opens once every container has had its first
      // probe and turned healthy (the status change is a record write and an event, once per
      // container), bounded at 60 s, and 3 s after that.
      for (let waited = 0; waited < 60_000; waited += 1000) {
        const healthy = (await docker(e, 'ps (healthy)', ['ps', '-q', '--filter', 'health=healthy']))?.r.stdout.split('\n').filter(Boolean).length ?? 0;
        if (healthy >= o.healthContainers) break;
        await sleep(1000);
      }
      await sleep(3000);
      // The same window twice over: the daemon alone, and the daemon with everything it runs for the
      // probes (berthd: the runc processes it reaps, its conmons, and its probe server with the
      // helpers that server reaps; dockerd: containerd and the
      // shims, with the runc processes they reap). Processes reaped by neither (a daemonized helper's
      // own children reparented to PID 1) escape both counts.
      const engineCpu = () => {
        const m = new Map<number, number>([[e.d.pid!, cpuWithChildrenMs(e.d.pid!)]]);
        for (const pid of helperPids(e.d.base, e.name, e.d.pid)) m.set(pid, cpuWithChildrenMs(pid));
        return m;
      };
      const allBefore = engineCpu();
      const t0 = Date.now();
      add(`daemon CPU with ${o.healthContainers} containers probed every second (% of a core)`, e.name, await daemonCpu(e, () => sleep(windowMs)));
      let spent = 0;
      for (const [pid, ms] of engineCpu()) spent += ms - (allBefore.get(pid) ?? 0);
      add(`daemon + helpers CPU with ${o.healthContainers} containers probed every second (% of a core)`, e.name, (100 * spent) / (Date.now() - t0));
      for (let i = 0; i < Math.min(o.runs, 5); i++) {
        const st = await docker(e, 'stats --no-stream', ['stats', '--no-stream']);
        if (st) add(`stats --no-stream over ${o.healthContainers} containers`, e.name, st.ms);
      }
      const ids = (await docker(e, 'ps -q', ['ps', '-a', '-q']))?.r.stdout.split('\n').filter(Boolean) ?? [];
      for (let k = 0; k < ids.length; k += 25) await docker(e, 'rm (health)', ['rm', '-f', ...ids.slice(k, k + 25)]);
    }

    } // services

    // 8. berthd on the network and in the browser: API requests per second over mutual TLS against
    //    the unix socket (same daemon, bounded load on loopback), and the time from opening the
    //    dashboard's terminal websocket to the shell's first prompt.
    if (berthd && want('tls')) {
      log('TLS listener and dashboard terminal');
      const certs = path.join(work, 'certs');
      fs.mkdirSync(certs);
      const ssl = async (args: string[]) => {
        const r = await run('openssl', args, { cwd: certs });
        if (r.code !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
      };
      await ssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=bench CA']);
      fs.writeFileSync(path.join(certs, 'server.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
      fs.writeFileSync(path.join(certs, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
      for (const n of ['server', 'client']) {
        await ssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${n}-key.pem`, '-out', `${n}.csr`, '-subj', `/CN=${n}`]);
        await ssl(['x509', '-req', '-in', `${n}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', `${n}-cert.pem`, '-days', '1', '-extfile', `${n}.ext`]);
      }
      const tlsPort = 20000 + (process.pid % 20000);
      const c = (n: string) => path.join(certs, n);
      const tlsd = new TestDaemon({ args: ['-H', `tcp://127.0.0.1:${tlsPort}`, '--tlsverify', '--tlscacert', c('ca.pem'), '--tlscert', c('server-cert.pem'), '--tlskey', c('server-key.pem')] });
      try {
        await tlsd.start();
        const read = (n: string) => fs.readFileSync(c(n));
        for (let i = 0; i < 2; i++) {
          const unix = await autocannon({ url: 'http://localhost/_ping', socketPath: tlsd.socket, duration: o.loadSeconds, connections: o.loadConnections });
          const tlsRun = await autocannon({ url: `https://127.0.0.1:${tlsPort}/_ping`, duration: o.loadSeconds, connections: o.loadConnections, tlsOptions: { ca: read('ca.pem'), cert: read('client-cert.pem'), key: read('client-key.pem') } });
          add('API requests/s on the unix socket (GET /_ping)', 'berthd', unix.requests.average);
          add('API requests/s over mutual TLS (GET /_ping, same daemon)', 'berthd', tlsRun.requests.average);
          if (unix.requests.average > 0) add('TLS: share of the unix socket\'s rate', 'berthd', (100 * tlsRun.requests.average) / unix.requests.average);
        }
      } finally {
        await tlsd.cleanup().catch(() => undefined);
      }
      const box = await docker(berthd, 'run -d (terminal)', ['run', '-d', 'busybox', 'sleep', '3600']);
      if (box) {
        const id = box.r.stdout.trim();
        for (let i = 0; i < Math.min(o.runs, 10); i++) {
          const t0 = process.hrtime.bigint();
          const ok = await new Promise<boolean>((resolve) => {
            const ws = new WebSocket(`ws+unix://${berthd.d.socket}:/containers/${id}/exec/ws?cmd=/bin/sh&rows=24&cols=80`);
            let seen = '';
            const timer = setTimeout(() => (ws.terminate(), resolve(false)), 10_000);
            ws.on('message', (m: Buffer) => {
              seen += m.toString();
              // The prompt ("/ # "), which ash follows with a cursor-position query on a tty.
              if (seen.includes('/ # ')) {
                clearTimeout(timer);
                ws.close();
                resolve(true);
              }
            });
            ws.on('error', () => (clearTimeout(timer), resolve(false)));
          });
          if (ok) add('dashboard terminal: websocket opened to first shell prompt', 'berthd', Number(process.hrtime.bigint() - t0) / 1e6);
        }
        await docker(berthd, 'rm (terminal)', ['rm', '-f', id]);
      }
    }
  } finally {
    log('cleaning up');
    await cleanup();
  }

  // Results.
  const rows: Row[] = [];
  const units: Record<string, string> = {};
  const stats: Record<string, Record<string, { median: number; p90: number; n: number }>> = {};
  for (const [metric, by] of Object.entries(samples)) {
    const row: Row = { metric: by[Object.keys(by)[0]!]!.length > 1 ? `${metric} (median)` : metric };
    for (const [who, xs] of Object.entries(by)) {
      (stats[metric] ??= {})[who] = { median: median(xs), p90: percentile(xs, 90), n: xs.length };
      (row as unknown as Record<string, number>)[who] = median(xs);
    }
    if (typeof row.berthd === 'number' && typeof row.dockerd === 'number') row.ratio = row.berthd / row.dockerd;
    rows.push(row);
  }
  units[`parallel run --rm: failures of ${o.parallelRuns}, 30 at a time`] = 'count';
  units['requests/s through a port published on 127.0.0.1'] = 'req/s';
  units["requests/s at the container's own address"] = 'req/s';
  units['published port: share of direct throughput'] = '%';
  for (const m of Object.keys(samples)) if (m.includes('% of a core')) units[m] = '%1';
  units['API requests/s on the unix socket (GET /_ping)'] = 'req/s';
  units['API requests/s over mutual TLS (GET /_ping, same daemon)'] = 'req/s';
  units["TLS: share of the unix socket's rate"] = '%';
  const mb = (k: number) => k / 1024;
  for (const [phase, label] of [['idle', 'idle'], ['running', `${o.memContainers} running`]] as const) {
    for (const [kind, pick] of [['daemon', 'daemon'], ['total', 'total']] as const) {
      for (const field of ['rssKiB', 'pssKiB'] as const) {
        const metric = `memory ${label}: ${kind === 'daemon' ? 'daemon' : 'daemon + monitors'} ${field === 'rssKiB' ? 'RSS' : 'PSS'}`;
        units[metric] = 'MB';
        const row: Row = { metric };
        for (const e of ['berthd', 'dockerd'] as const) {
          const m = memory[phase]?.[e];
          if (m) row[e] = mb(m[pick][field]);
        }
        if (typeof row.berthd === 'number' && typeof row.dockerd === 'number') row.ratio = row.berthd / row.dockerd;
        rows.push(row);
      }
    }
  }
  // Rows of metrics with several samples are named "... (median)": their unit follows them.
  for (const [k, v] of Object.entries({ ...units })) units[`${k} (median)`] = v;
  const table = renderTable(rows, units);
  const failures = Object.fromEntries(engines.map((e) => [e.name, e.failures]));
  const versions = {
    node: process.version,
    kernel: os.release(),
    cpus: os.cpus().length,
    docker_cli: (await run(DOCKER_BIN, ['version', '--format', '{{.Client.Version}}'])).stdout.trim(),
    dockerd: (await run(DOCKERD_BIN, ['--version'])).stdout.trim(),
    runc: (await run('runc', ['--version'])).stdout.split('\n')[0],
  };
  const result = { startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), options: o, versions, stats, memory, samples, failures, table };
  fs.mkdirSync(path.dirname(o.out), { recursive: true });
  fs.writeFileSync(o.out, JSON.stringify(result, null, 2) + '\n');

  const caption = `Measured ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC on ${versions.cpus} cores (kernel ${versions.kernel}), ${o.runs} interleaved rounds; docker CLI ${versions.docker_cli} for both engines; \`ps\` over ${o.psContainers} created containers. Memory: /proc/PID/smaps_rollup; "monitors" = conmon for berthd, containerd + shims for dockerd.`;
  console.log(`\n${table}\n\n${caption}\n`);
  for (const [who, f] of Object.entries(failures)) {
    for (const [what, { count, first }] of Object.entries(f)) console.log(`failures: ${who} ${what}: ${count}× (first: ${first})`);
  }
  console.log(`results: ${path.relative(REPO, o.out)}`);
  if (o.readme) {
    const readme = path.join(REPO, 'README.md');
    if (fs.existsSync(readme) && writeReadmeTable(readme, `${table}\n\n${caption}`)) console.log('README.md: bench table updated');
    else console.log('README.md: no bench markers; table not written');
  }
  // The benches that came with the builder and the registries run after this one, in the same
  // `npm run bench`, each with its own table and JSON (bench:build, bench:registry,
  // bench:distribution alone). --only (a section of this bench) leaves them out.
  if (!o.only) {
    for (const extra of ['build', 'registry', 'distribution']) {
      log(`next: bench/${extra}.ts`);
      const r = spawnSync(process.execPath, [path.join(REPO, 'dist', 'bench', `${extra}.js`), ...(o.readme ? [] : ['--no-readme'])], { stdio: 'inherit' });
      if (r.status !== 0) process.exitCode = 1;
    }
  }
}

main().catch((e) => {
  console.error(`bench: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
