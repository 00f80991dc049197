// Copies a daemon output stream to the local stdout/stderr: demultiplexed with FrameDecoder when the
// container has no TTY (8-byte stdout/stderr frames), raw bytes when it has one.
import type { Readable, Writable } from 'node:stream';
import { FrameDecoder } from '../api/streams.js';

/** Resolves when the stream ends; writes respect backpressure of the destinations. */
export function copyOutput(src: Readable, tty: boolean, stdout: Writable | null, stderr: Writable | null): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const write = (dst: Writable | null, data: Buffer) => {
      if (!dst || data.length === 0) return;
      if (!dst.write(data)) {
        src.pause();
        dst.once('drain', () => src.resume());
      }
    };
    const decoder = tty ? null : new FrameDecoder((stream, data) => write(stream === 'stderr' ? stderr : stdout, data));
    src.on('data', (chunk: Buffer) => {
      if (decoder) decoder.push(chunk);
      else write(stdout, chunk);
    });
    src.once('end', () => resolve());
    src.once('close', () => resolve());
    src.once('error', (e: NodeJS.ErrnoException) => {
      // A hijacked socket reset by the daemon at the container's exit is an ordinary end.
      if (e.code === 'ECONNRESET' || e.code === 'EPIPE') resolve();
      else reject(e);
    });
  });
}
