// A client of conmon's attach socket (SOCK_SEQPACKET): output packets start with one byte naming the
// stream (2 stdout, 3 stderr); what we send is the container's stdin, in packets conmon reads whole.
import fs from 'node:fs';
import path from 'node:path';
import { SeqpacketSocket } from 'node-unix-socket';
import type { AttachHandle, AttachStreams } from '../engine/containers/runtime-contract.js';
import { SystemError } from '../errors.js';

/** conmon's stream tags (its STDOUT_PIPE / STDERR_PIPE). */
const STDOUT = 2;
const STDERR = 3;
/** conmon reads stdin packets into a 32 KiB buffer and drops the excess: stay well below it. */
const STDIN_CHUNK = 16 * 1024;
/** sun_path holds 108 bytes including the terminating NUL. */
const SUN_PATH_MAX = 107;

export interface AttachOptions {
  /** Called when the stdin side was shut down (conmon then closes the container's stdin unless told to leave it open). */
  onStdinClosed?: () => void;
}

/**
 * Connects to a unix socket path of any length: paths longer than sun_path are reached through
 * /proc/self/fd/N of their directory (conmon binds its own socket the same way).
 */
async function connectSeqpacket(socketPath: string): Promise<SeqpacketSocket> {
  let dirFd: number | undefined;
  let target = socketPath;
  if (Buffer.byteLength(socketPath) > SUN_PATH_MAX) {
    dirFd = fs.openSync(path.dirname(socketPath), fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
    target = `/proc/self/fd/${dirFd}/${path.basename(socketPath)}`;
  }
  try {
    return await new Promise<SeqpacketSocket>((resolve, reject) => {
      const sock = new SeqpacketSocket();
      const onError = (e: Error) => reject(new SystemError(`attach: cannot connect to ${socketPath}: ${e.message}`, { cause: e }));
      sock.once('error', onError);
      try {
        sock.connect(target, () => {
          sock.off('error', onError);
          resolve(sock);
        });
      } catch (e) {
        sock.destroy();
        onError(e as Error);
      }
    });
  } finally {
    if (dirFd !== undefined) fs.closeSync(dirFd);
  }
}

/**
 * Attaches to conmon's socket at `socketPath`. `done` settles when conmon closes the connection (the
 * container exited and its output was drained) or close() was called. When `streams.stdin` ends, the
 * write half is shut down: conmon then closes the container's stdin if it was started without
 * --leave-stdin-open (stdinOnce).
 */
export async function attachSocket(socketPath: string, streams: AttachStreams, opts: AttachOptions = {}): Promise<AttachHandle> {
  const sock = await connectSeqpacket(socketPath);
  let closed = false;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const finish = () => {
    if (closed) return;
    closed = true;
    if (streams.stdin) {
      streams.stdin.off('data', onStdin);
      streams.stdin.off('end', onStdinEnd);
      streams.stdin.off('error', onStdinEnd);
    }
    sock.destroy();
    resolveDone();
  };

  sock.on('data', (buf: Buffer) => {
    if (buf.length < 1) return;
    const tag = buf[0];
    const data = buf.subarray(1);
    if (data.length === 0) return;
    if (tag === STDOUT) streams.onOutput('stdout', data);
    else if (tag === STDERR) streams.onOutput('stderr', data);
  });
  // conmon shuts its side at container exit, after draining the output into every attached socket.
  sock.on('end', finish);
  sock.on('close', finish);
  sock.on('error', finish);

  let stdinShut = false;
  const shutStdin = () => {
    if (stdinShut || closed) return;
    stdinShut = true;
    sock.end(() => opts.onStdinClosed?.());
  };
  const onStdin = (chunk: Buffer | string) => {
    if (closed) return;
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    const stdin = streams.stdin!;
    for (let off = 0; off < b.length; off += STDIN_CHUNK) {
      const part = b.subarray(off, Math.min(b.length, off + STDIN_CHUNK));
      const last = off + STDIN_CHUNK >= b.length;
      if (last) {
        // Backpressure: hold the reader until the kernel took the last packet.
        stdin.pause();
        try {
          sock.write(part, 0, part.length, () => {
            if (!closed) stdin.resume();
          });
        } catch {
          finish();
        }
      } else {
        try {
          sock.write(part, 0, part.length);
        } catch {
          finish();
        }
      }
    }
  };
  const onStdinEnd = () => shutStdin();
  if (streams.stdin) {
    streams.stdin.on('data', onStdin);
    streams.stdin.once('end', onStdinEnd);
    streams.stdin.once('error', onStdinEnd);
    // A 'data' listener starts the flow only on a stream never paused. A hijacked socket may have been
    // paused by whoever read the request body off it first; left so, the client's stdin (and its
    // EOF) would sit in the socket's buffer and the process would wait on its stdin for ever.
    streams.stdin.resume();
    if (streams.stdin.readableEnded) shutStdin();
  }

  return { done, close: finish };
}
