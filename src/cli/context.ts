// What every command receives: the standard streams, the environment, and a lazily built Engine API
// client for the daemon chosen by -H / BERTH_HOST / DOCKER_HOST.
import type { Readable, Writable } from 'node:stream';
import { Client } from '../client/client.js';
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

export class CliContext {
  private cached: Client | null = null;
  hostFlag: string | undefined;

  constructor(readonly io: CliIO) {}

  get client(): Client {
    if (!this.cached) {
      const host = chooseHost(this.hostFlag, this.io.env);
      this.cached = new Client(parseHost(host), this.io.env.DOCKER_API_VERSION || undefined);
    }
    return this.cached;
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
