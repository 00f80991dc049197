// A real berth-registry for one test: its own storage root in a temp directory, listening on
// 127.0.0.1 at a port the kernel picks (read from its "listening" line), stopped and removed afterwards.
// Also raw HTTP requests to it, so tests see status codes, headers and bodies exactly.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import https from 'node:https';
import { spawn, type ChildProcess } from 'node:child_process';
import type { AfterHook } from './daemon.js';
import { REPO } from './paths.js';
import { waitFor } from './wait.js';

export const REGISTRY_BIN = path.join(REPO, 'bin', 'berth-registry');

export interface RegistryResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
  json<T = any>(): T;
}

export interface RegistryRequestOptions {
  headers?: Record<string, string>;
  body?: string | Buffer;
  timeout?: number;
}

export class TestRegistry {
  readonly root: string;
  /** 127.0.0.1:PORT once started: the registry host part of image names. */
  host = '';
  proc: ChildProcess | undefined;
  private output = '';
  private exited: Promise<void> = Promise.resolve();
  private stopping = false;

  constructor(
    readonly args: string[] = [],
    root?: string,
    readonly tls?: { ca: Buffer },
  ) {
    this.root = root ?? fs.mkdtempSync(path.join(os.tmpdir(), 'berth-registry-test-'));
  }

  get port(): number {
    return Number(this.host.split(':')[1]);
  }

  get url(): string {
    return `${this.tls ? 'https' : 'http'}://${this.host}`;
  }

  /** stdout and stderr of the registry so far. */
  get log(): string {
    return this.output;
  }

  async start(addr = '127.0.0.1:0'): Promise<void> {
    const proc = spawn(process.execPath, [REGISTRY_BIN, '--addr', addr, '--root', this.root, '--log-level', 'debug', ...this.args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    this.output = '';
    this.stopping = false;
    proc.stdout.on('data', (b: Buffer) => (this.output += b.toString()));
    proc.stderr.on('data', (b: Buffer) => (this.output += b.toString()));
    proc.on('error', (e) => (this.output += `\n[harness: spawn error ${e.message}]`));
    this.exited = new Promise((r) => proc.once('exit', () => r()));
    // A registry that dies on its own is a bug: say so with its log, since the test only sees refusals.
    proc.once('exit', (code, signal) => {
      if (!this.stopping) process.stderr.write(`[harness: berth-registry exited on its own (code ${code}, signal ${signal})]\n${this.output}\n`);
    });
    const line = await waitFor(
      'berth-registry to listen',
      () => {
        if (proc.exitCode !== null) throw new Error(`berth-registry exited ${proc.exitCode}: ${this.output}`);
        return /^listening (\S+)$/m.exec(this.output)?.[1];
      },
      20_000,
    );
    this.host = line;
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    this.stopping = true;
    p.kill('SIGTERM');
    const t = setTimeout(() => p.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(t);
  }

  async kill(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    this.stopping = true;
    p.kill('SIGKILL');
    await this.exited;
  }

  async cleanup(): Promise<void> {
    await this.stop();
    fs.rmSync(this.root, { recursive: true, force: true });
  }

  request(method: string, urlPath: string, opts: RegistryRequestOptions = {}): Promise<RegistryResponse> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { ...opts.headers };
      if (opts.body !== undefined) headers['Content-Length'] = Buffer.byteLength(opts.body);
      const lib = this.tls ? https : http;
      const req = lib.request(
        { host: '127.0.0.1', port: this.port, method, path: urlPath, headers, timeout: opts.timeout ?? 30_000, ...(this.tls ? { ca: this.tls.ca } : {}), agent: false },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const body = Buffer.concat(chunks);
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString(), json: () => JSON.parse(body.toString()) });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`registry request ${method} ${urlPath} timed out`)));
      req.on('error', reject);
      req.end(opts.body);
    });
  }
}

/** Starts a berth-registry (extra flags in `args`) and registers its cleanup on `t`. */
export async function startRegistry(t: AfterHook, args: string[] = [], opts: { root?: string; tls?: { ca: Buffer } } = {}): Promise<TestRegistry> {
  const r = new TestRegistry(args, opts.root, opts.tls);
  t.after(() => r.cleanup());
  await r.start();
  return r;
}
