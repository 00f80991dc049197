// Debian's `docker-registry` (distribution 2.8), the reference registry, for interop tests and the
// registry bench: its own YAML config and filesystem storage in a temp directory, on a free 127.0.0.1
// port, stopped and removed afterwards. Never the packaged service: a process of our own.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { spawn, type ChildProcess } from 'node:child_process';
import type { AfterHook } from './daemon.js';
import { freePort } from './http.js';
import { waitFor } from './wait.js';

export const DOCKER_REGISTRY_BIN = '/usr/bin/docker-registry';

export interface ReferenceRegistryOptions {
  /** An htpasswd file (bcrypt entries): basic auth, as `auth: htpasswd:` in distribution's config. */
  htpasswd?: string;
}

export class ReferenceRegistry {
  readonly dir: string;
  host = '';
  proc: ChildProcess | undefined;
  private output = '';
  private exited: Promise<void> = Promise.resolve();

  constructor(readonly options: ReferenceRegistryOptions = {}) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-docker-registry-'));
  }

  get port(): number {
    return Number(this.host.split(':')[1]);
  }

  get log(): string {
    return this.output;
  }

  /** distribution's configuration: filesystem storage, deletes on, the in-memory blob descriptor cache (its packaged default). */
  private config(port: number): string {
    const lines = [
      'version: 0.1',
      'log:',
      '  level: warn',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  cache:',
      '    blobdescriptor: inmemory',
      '  filesystem:',
      `    rootdirectory: ${path.join(this.dir, 'storage')}`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: 127.0.0.1:${port}`,
      '  secret: berth-interop-test-secret',
    ];
    if (this.options.htpasswd) lines.push('auth:', '  htpasswd:', '    realm: reference-realm', `    path: ${this.options.htpasswd}`);
    return `${lines.join('\n')}\n`;
  }

  async start(): Promise<void> {
    // The port is picked first (distribution cannot report a kernel-chosen one); another process taking
    // it in between makes the registry exit, which the wait below reports.
    const port = await freePort();
    const cfg = path.join(this.dir, 'config.yml');
    fs.writeFileSync(cfg, this.config(port));
    const proc = spawn(DOCKER_REGISTRY_BIN, ['serve', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    this.output = '';
    proc.stdout.on('data', (b: Buffer) => (this.output += b.toString()));
    proc.stderr.on('data', (b: Buffer) => (this.output += b.toString()));
    proc.on('error', (e) => (this.output += `\n[harness: spawn error ${e.message}]`));
    this.exited = new Promise((r) => proc.once('exit', () => r()));
    this.host = `127.0.0.1:${port}`;
    await waitFor(
      'docker-registry to answer /v2/',
      async () => {
        if (proc.exitCode !== null) throw new Error(`docker-registry exited ${proc.exitCode}: ${this.output}`);
        return (await ping(port)) ? true : undefined;
      },
      20_000,
    );
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    p.kill('SIGTERM');
    const t = setTimeout(() => p.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(t);
  }

  async cleanup(): Promise<void> {
    await this.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/v2/', agent: false, timeout: 2000 }, (res) => {
      res.resume();
      // 200 without auth, 401 with it: either way the registry is serving.
      resolve(res.statusCode === 200 || res.statusCode === 401);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/** Starts a reference registry and registers its cleanup on `t`. */
export async function startReferenceRegistry(t: AfterHook, options: ReferenceRegistryOptions = {}): Promise<ReferenceRegistry> {
  const r = new ReferenceRegistry(options);
  t.after(() => r.cleanup());
  await r.start();
  return r;
}
