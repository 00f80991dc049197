// The client side of an attached container or exec, as docker's hijackedIOStreamer: local stdin to the
// hijacked connection (raw terminal with -t), the connection's output to local stdout/stderr
// (demultiplexed without a TTY), terminal size changes sent to the daemon, and signals forwarded.
import type { HijackedStream } from '../client/client.js';
import { copyOutput } from '../client/demux.js';
import type { CliContext } from './context.js';

export interface SessionOptions {
  tty: boolean;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
}

export interface Session {
  /** Settles when the daemon ends the output stream. */
  outputDone: Promise<void>;
  /** Restores the terminal and detaches from local stdin. Idempotent. */
  restore(): void;
}

export function streamSession(ctx: CliContext, h: HijackedStream, o: SessionOptions): Session {
  const { stdin, stdout, stderr } = ctx.io;
  let raw = false;
  let restored = false;
  const onData = (d: Buffer) => h.input?.write(d);
  const onEnd = () => h.closeWrite();

  if (o.stdin && h.input) {
    if (o.tty && stdin.isTTY && stdin.setRawMode) {
      stdin.setRawMode(true);
      raw = true;
    }
    stdin.on('data', onData);
    stdin.once('end', onEnd);
    stdin.resume();
    h.input.on('error', () => {});
  }

  const outputDone = copyOutput(h.output, o.tty, o.stdout ? stdout : null, o.stderr ? (o.tty ? stdout : stderr) : null);

  const restore = () => {
    if (restored) return;
    restored = true;
    if (raw) stdin.setRawMode?.(false);
    stdin.off('data', onData);
    stdin.off('end', onEnd);
    if (o.stdin) stdin.pause();
  };
  return { outputDone, restore };
}

/**
 * Keeps the container's (or exec's) TTY the size of the local terminal: once now (retried briefly, as
 * docker's initTtySize, because the process may not be running yet) and on every SIGWINCH.
 */
export function monitorTtySize(ctx: CliContext, resize: (h: number, w: number) => Promise<unknown>): () => void {
  const out = ctx.io.stdout;
  if (!out.isTTY) return () => {};
  const send = () => {
    const h = out.rows ?? 0;
    const w = out.columns ?? 0;
    if (h === 0 && w === 0) return Promise.resolve();
    return resize(h, w);
  };
  void (async () => {
    for (let attempt = 0; attempt < 10; attempt++) {
      try {
        await send();
        return;
      } catch {
        await new Promise((r) => setTimeout(r, (attempt + 1) * 10));
      }
    }
    ctx.err('failed to resize tty, using default size\n');
  })();
  const onResize = () => void send().catch(() => {});
  out.on('resize', onResize);
  return () => out.off('resize', onResize);
}

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

/** docker's --sig-proxy: signals the CLI receives go to the container instead of ending the CLI. */
export function proxySignals(kill: (signal: string) => Promise<unknown>): () => void {
  const handlers = FORWARDED.map((sig) => {
    const h = () => void kill(sig).catch(() => {});
    process.on(sig, h);
    return [sig, h] as const;
  });
  return () => {
    for (const [sig, h] of handlers) process.off(sig, h);
  };
}
