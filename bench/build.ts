// The build benchmark: a 10-step Dockerfile with a 20 MB ADD, built with the same docker CLI against
// berthd and against dockerd 20.10's classic builder (DOCKER_BUILDKIT=0), interleaved in one run:
//   cold      `docker build --no-cache` (every step runs; the base image is present)
//   cached    the same build again (every step from cache)
//   one file  after editing one small copied file (the COPY of it and every later step rebuild)
// and, in the same rounds, the floor: the same CLI sending the same context to a server that only
// reads it and answers (drain-server.ts). No daemon's cached rebuild can be faster than that.
//
//   npm run bench:build -- [--runs N] [--no-dockerd] [--no-readme]
//
// Prints a table, writes bench/results/build.json and puts the table into README.md between the
// build-bench markers.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { TestDaemon, run, REPO, DOCKER_BIN } from '../test/harness/index.js';
import { median } from './stats.js';
import { renderTable, type Row } from './report.js';
import { parseSideBenchArgs } from './options.js';

const START = '<!-- build-bench:start -->';
const END = '<!-- build-bench:end -->';

const DOCKERFILE = `FROM busybox
ENV APP=/app
WORKDIR /app
ADD big.bin /app/big.bin
COPY small/ /app/small/
RUN echo built > /app/built.txt && wc -c /app/big.bin
LABEL bench=build
EXPOSE 8080
USER daemon
CMD ["cat", "/app/built.txt"]
`;

const log = (m: string) => process.stderr.write(`bench-build: ${m}\n`);

/** 20 MB of incompressible, reproducible bytes. */
function bigFile(p: string): void {
  const fd = fs.openSync(p, 'w');
  let block = createHash('sha512').update('berth build bench').digest();
  const chunk = Buffer.alloc(1 << 20);
  for (let mb = 0; mb < 20; mb++) {
    for (let off = 0; off < chunk.length; off += block.length) {
      block = createHash('sha512').update(block).digest();
      block.copy(chunk, off);
    }
    fs.writeSync(fd, chunk);
  }
  fs.closeSync(fd);
}

async function main(): Promise<void> {
  const { runs, withDockerd, readme } = parseSideBenchArgs(process.argv.slice(2));
  const ctx = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-bench-build-'));
  fs.writeFileSync(path.join(ctx, 'Dockerfile'), DOCKERFILE);
  bigFile(path.join(ctx, 'big.bin'));
  fs.mkdirSync(path.join(ctx, 'small'));
  for (let i = 0; i < 20; i++) fs.writeFileSync(path.join(ctx, 'small', `f${i}.txt`), `file ${i}\n`);

  const engines: { name: 'berthd' | 'dockerd'; d: TestDaemon }[] = [];
  const floorSock = path.join(ctx, '..', `${path.basename(ctx)}.sock`);
  let floor: ChildProcess | null = null;
  const cleanup = async () => {
    for (const e of engines) await e.d.cleanup().catch((err) => log(`cleanup ${e.name}: ${(err as Error).message}`));
    if (floor && floor.exitCode === null) {
      floor.kill();
      await new Promise((r) => floor!.once('exit', r));
    }
    fs.rmSync(floorSock, { force: true });
    fs.rmSync(ctx, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
  try {
    for (const name of withDockerd ? (['berthd', 'dockerd'] as const) : (['berthd'] as const)) {
      const d = new TestDaemon({ engine: name, startTimeout: 60_000 });
      engines.push({ name, d });
      await d.start();
      await d.importBusybox();
    }
    floor = spawn(process.execPath, [path.join(REPO, 'dist', 'bench', 'drain-server.js'), floorSock], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      floor!.stdout!.once('data', () => resolve());
      floor!.once('exit', (code) => reject(new Error(`drain server exited (${code})`)));
    });
    const samples: Record<string, Record<string, number[]>> = {};
    const floorRun = async () => {
      const t0 = process.hrtime.bigint();
      const r = await run(DOCKER_BIN, ['build', '-t', 'bench-build', '.'], { cwd: ctx, env: { ...engines[0]!.d.env, DOCKER_HOST: `unix://${floorSock}`, DOCKER_BUILDKIT: '0' }, timeout: 60_000 });
      if (r.code !== 0) throw new Error(`floor: ${r.stderr.slice(0, 500)}`);
      ((samples['fully cached rebuild'] ??= {})['floor'] ??= []).push(Number(process.hrtime.bigint() - t0) / 1e6);
    };
    const build = async (e: (typeof engines)[number], what: string, extra: string[]) => {
      const t0 = process.hrtime.bigint();
      const r = await run(DOCKER_BIN, ['build', ...extra, '-t', 'bench-build', '.'], { cwd: ctx, env: { ...e.d.env, DOCKER_BUILDKIT: '0' }, timeout: 300_000 });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (r.code !== 0) throw new Error(`${e.name} ${what}: ${r.stderr.slice(0, 500)}`);
      ((samples[what] ??= {})[e.name] ??= []).push(ms);
      return r.stdout;
    };
    for (let round = 0; round < runs; round++) {
      for (const e of round % 2 ? [...engines].reverse() : engines) {
        await build(e, 'cold build (--no-cache)', ['--no-cache']);
        if (e.name === 'berthd') await floorRun();
        const cached = await build(e, 'fully cached rebuild', []);
        if ((cached.match(/Using cache/g) ?? []).length !== 9) throw new Error(`${e.name}: the cached rebuild was not all cache:\n${cached}`);
        fs.writeFileSync(path.join(ctx, 'small', 'f0.txt'), `file 0, round ${round} ${e.name}\n`);
        await build(e, 'rebuild after one changed file', []);
      }
      log(`round ${round + 1}/${runs} done`);
    }
    const rows: Row[] = Object.entries(samples).map(([metric, by]) => {
      const b = by['berthd'] ? median(by['berthd']) : undefined;
      const dd = by['dockerd'] ? median(by['dockerd']) : undefined;
      const fl = by['floor'] ? median(by['floor']) : undefined;
      return { metric: `${metric} (median)`, ...(b !== undefined ? { berthd: b } : {}), ...(dd !== undefined ? { dockerd: dd } : {}), ...(fl !== undefined ? { runc: fl } : {}), ...(b !== undefined && dd !== undefined ? { ratio: b / dd } : {}) };
    });
    const table = renderTable(rows, {}, 'floor');
    const cachedRow = samples['fully cached rebuild'] ?? {};
    const floorRatio = cachedRow['floor'] && cachedRow['dockerd'] ? ` The floor of a cached rebuild (the same CLI sending the same context to a server that only reads it, bench/drain-server.ts) is ${(median(cachedRow['floor']) / median(cachedRow['dockerd'])).toFixed(2)}× dockerd's time.` : '';
    const load = os.loadavg().map((l) => l.toFixed(1)).join(' ');
    const note = `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${os.availableParallelism()} cores (load average at the end ${load}: the machine is shared), ${runs} interleaved rounds; docker CLI 28 with DOCKER_BUILDKIT=0 for both (dockerd: its classic builder); a 10-step Dockerfile with a 20 MB ADD and a COPY of 20 small files.${floorRatio}`;
    console.log(table + '\n\n' + note);
    const out = path.join(REPO, 'bench', 'results', 'build.json');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify({ measuredAt: new Date().toISOString(), runs, samples, rows }, null, 2) + '\n');
    if (readme) {
      const p = path.join(REPO, 'README.md');
      const text = fs.readFileSync(p, 'utf8');
      const a = text.indexOf(START);
      const b = text.indexOf(END);
      if (a >= 0 && b > a) fs.writeFileSync(p, `${text.slice(0, a + START.length)}\n${table}\n\n${note}\n${text.slice(b)}`);
    }
  } finally {
    await cleanup();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
