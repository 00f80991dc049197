// Starting a created runc container without a second runc process.
//
// `runc create` leaves the container's init blocked opening `<root>/<id>/exec.fifo` for writing. `runc
// start` is nothing more than a reader of that FIFO: it takes the one byte the init writes, removes the
// file (runc calls a container whose init lives and whose FIFO exists "created", one without it
// "running"), and exits. Being that reader here saves a Go start-up, about 5 ms of every container
// start. The FIFO has sat at that path with that protocol since runc 1.0; when it is not there (another
// runtime, another layout) the caller falls back to `runc start`.
import fs from 'node:fs';
import net from 'node:net';
import { processRunning } from './process-state.js';

export const EXEC_FIFO = 'exec.fifo';

/** The init died before it was released: runc start says the same. */
export class InitGoneError extends Error {
  constructor() {
    super('cannot start a container that has stopped');
  }
}

/**
 * Releases the init waiting on `fifo`. Returns false (having done nothing) when `fifo` is not a FIFO;
 * throws InitGoneError when `initPid` died before writing its byte.
 */
export async function releaseExecFifo(fifo: string, initPid: number, pollMs = 50): Promise<boolean> {
  // In place, as are the open and the removal: microseconds each, on every start's path.
  let st: fs.Stats | undefined;
  try {
    st = fs.lstatSync(fifo);
  } catch {
    return false;
  }
  if (!st.isFIFO()) return false;
  // (libuv opens with O_CLOEXEC.) O_NONBLOCK: the open returns at once even if the init is not yet waiting, and the kernel holds
  // back the hang-up until a writer has come; the pipe is then watched by the event loop, never by a
  // thread-pool thread that a dead writer could block forever.
  const fd = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  const sock = new net.Socket({ fd, readable: true, writable: false });
  try {
    await new Promise<void>((resolve, reject) => {
      let got = false;
      const timer = setInterval(() => {
        if (processRunning(initPid)) return;
        // An init that wrote its byte and ran a short command (`true`) is gone by now too, and the poll
        // can come before the event loop has read the byte: read what the pipe holds before calling
        // the init dead (that misreading failed one parallel `docker run` in six).
        if (!got) got = readPending(fd);
        finish(got ? null : new InitGoneError());
      }, pollMs);
      const finish = (err: Error | null) => {
        clearInterval(timer);
        sock.removeAllListeners('data').removeAllListeners('end').removeAllListeners('error');
        sock.on('error', () => {});
        if (err) reject(err);
        else resolve();
      };
      sock.on('data', (b: Buffer) => {
        if (b.length > 0) {
          got = true;
          finish(null);
        }
      });
      // The writer closed without a byte: the init failed between opening and writing.
      sock.on('end', () => finish(got ? null : new InitGoneError()));
      sock.on('error', (e) => finish(e));
    });
  } finally {
    sock.destroy();
  }
  fs.rmSync(fifo, { force: true });
  return true;
}

/** A non-blocking read of what a FIFO holds now: true when it held a byte. */
function readPending(fd: number): boolean {
  try {
    return fs.readSync(fd, Buffer.alloc(1), 0, 1, null) > 0;
  } catch {
    return false; // EAGAIN: nothing written; EBADF: already closed
  }
}
