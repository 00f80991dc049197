// Debian's docker-registry (distribution 2.8, the reference registry) for one test or bench: a small
// YAML config written here (filesystem storage in a temp dir, 127.0.0.1 at a free port, optional
// htpasswd), the process stopped and its files removed afterwards. Never the system service.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import type { AfterHook } from './daemon.js';
import { freePort } from './http.js';
import { waitFor } from './wait.js';

export const DOCKER_REGISTRY_BIN = '/usr/bin/docker-registry';

export class DebianRegistry {
  readonly dir: string;
  host = '';
  proc: ChildProcess | undefined;
  private output = '';
  private exited: Promise<void> = Promise.resolve();

  constructor(readonly opts: { htpasswd?: string } = {}) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-docker-registry-'));
  }

  get log(): string {
    return this.output;
  }

  async start(): Promise<void> {
    const port = await freePort();
    this.host = `127.0.0.1:${port}`;
    const storage = path.join(this.dir, 'storage');
    fs.mkdirSync(storage);
    const lines = [
      'version: 0.1',
      'log:',
      '  level: warn',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${storage}`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: ${this.host}`,
      '  debug:',
      '    addr: ""',
    ];
    if (this.opts.htpasswd) {
      const file = path.join(this.dir, 'htpasswd');
      fs.writeFileSync(file, this.opts.htpasswd);
      lines.push('auth:', '  htpasswd:', '    realm: basic-realm', `    path: ${file}`);
    }
    const config = path.join(this.dir, 'config.yml');
    fs.writeFileSync(config, lines.join('\n') + '\n');
    const proc = spawn(DOCKER_REGISTRY_BIN, ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    proc.stdout!.on('data', (b: Buffer) => (this.output += b.toString()));
    proc.stderr!.on('data', (b: Buffer) => (this.output += b.toString()));
    this.exited = new Promise((r) => proc.once('exit', () => r()));
    await waitFor(
      'docker-registry to listen',
      async () => {
        if (proc.exitCode !== null) throw new Error(`docker-registry exited ${proc.exitCode}: ${this.output}`);
        const ok = await fetch(`http://${this.host}/v2/`).then(
          (r) => r.status === 200 || r.status === 401,
          () => false,
        );
        return ok;
      },
      20_000,
      100,
    );
  }

  async cleanup(): Promise<void> {
    const p = this.proc;
    if (p && p.exitCode === null && p.signalCode === null) {
      p.kill('SIGTERM');
      const t = setTimeout(() => p.kill('SIGKILL'), 10_000);
      await this.exited;
      clearTimeout(t);
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

export async function startDebianRegistry(t: AfterHook, opts: { htpasswd?: string } = {}): Promise<DebianRegistry> {
  const r = new DebianRegistry(opts);
  t.after(() => r.cleanup());
  await r.start();
  return r;
}
