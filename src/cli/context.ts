// What every command receives: the standard streams, the environment, and a lazily built Engine API
// client for the daemon chosen by -H / BERTH_HOST / DOCKER_HOST.
import type { Readable, Writable } from 'node:stream';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, type ClientTls } from '../client/client.js';
import { chooseHost, parseHost } from '../client/daemon-host.js';

export type OutStream = Writable & { isTTY?: boolean; columns?: number; rows?: number };
export type InStream = Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };

export interface CliIO {
  stdout: OutStream;
  stderr: OutStream;
  stdin: InStream;
  env: Record<string, string | undefined>;
  cwd: string;
}

/** The program name in messages ("berth: 'berth run' requires at least 1 argument"). */
export const PROG = 'berth';

/** An exit with a status and an optional message for stderr (docker's cli.StatusError). */
export class StatusError extends Error {
  constructor(
    readonly status: number,
    message = '',
  ) {
    super(message);
    this.name = 'StatusError';
  }
}

/** The global TLS flags, as the docker CLI takes them. */
export interface TlsFlags {
  tls?: boolean;
  tlsverify?: boolean;
  tlscacert?: string;
  tlscert?: string;
  tlskey?: string;
}

export class CliContext {
  private cached: Client | null = null;
  hostFlag: string | undefined;
  tlsFlags: TlsFlags = {};

  constructor(readonly io: CliIO) {}

  get client(): Client {
    if (!this.cached) {
      const host = chooseHost(this.hostFlag, this.io.env);
      this.cached = new Client(parseHost(host), this.io.env.DOCKER_API_VERSION || undefined, this.clientTls());
    }
    return this.cached;
  }

  /**
   * TLS as the docker CLI decides it: --tlsverify or DOCKER_TLS_VERIFY verifies the daemon against the
   * CA; --tls or DOCKER_TLS encrypts only; the files default to DOCKER_CERT_PATH (or ~/.docker).
   */
  private clientTls(): ClientTls | undefined {
    const env = this.io.env;
    const f = this.tlsFlags;
    const verify = !!f.tlsverify || !!env.DOCKER_TLS_VERIFY;
    if (!verify && !f.tls && !env.DOCKER_TLS) return undefined;
    const dir = env.DOCKER_CERT_PATH || path.join(os.homedir(), '.docker');
    const read = (file: string) => {
      try {
        return fs.readFileSync(file);
      } catch {
        return undefined;
      }
    };
    const ca = read(f.tlscacert ?? path.join(dir, 'ca.pem'));
    const cert = read(f.tlscert ?? path.join(dir, 'cert.pem'));
    const key = read(f.tlskey ?? path.join(dir, 'key.pem'));
    if (verify && !ca) throw new Error(`Could not read CA certificate "${f.tlscacert ?? path.join(dir, 'ca.pem')}"`);
    return { verify, ...(ca ? { ca } : {}), ...(cert && key ? { cert, key } : {}) };
  }

  out(s: string): void {
    this.io.stdout.write(s);
  }
  err(s: string): void {
    this.io.stderr.write(s);
  }

  close(): void {
    this.cached?.close();
  }
}
