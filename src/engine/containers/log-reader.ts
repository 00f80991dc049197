// Reads a container's k8s-file log across its rotated files (ctr.log.N ... ctr.log.1, ctr.log) for
// `docker logs`: stream selection, tail, since/until, and follow that survives a rotation under it
// (the open file is drained before the new one is opened) and ends once the container has exited.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { LineSplitter, RecordJoiner, parseLogLine, rotatedNames, type LogRecord } from './k8s-log.js';

export interface ReadLogsOptions {
  /** The live file (…/ctr.log); rotated files sit beside it as ctr.log.1, ctr.log.2… */
  logPath: string;
  stdout: boolean;
  stderr: boolean;
  /** Last N records only; null = all. */
  tail: number | null;
  sinceNs?: bigint | null;
  untilNs?: bigint | null;
  follow: boolean;
  /** Settles when no more output will come (the container exited); follow then drains and ends. */
  stopped?: Promise<unknown>;
  signal?: AbortSignal;
  /** Poll interval while following (fs.watch wakes us sooner when it can). */
  pollMs?: number;
}

const CHUNK = 64 * 1024;

export async function* readLogs(o: ReadLogsOptions): AsyncGenerator<LogRecord> {
  const dir = path.dirname(o.logPath);
  const base = path.basename(o.logPath);
  const splitter = new LineSplitter();
  const joiner = new RecordJoiner();
  let pastUntil = false;
  const accept = (r: LogRecord): boolean => {
    if (r.stream === 'stdout' ? !o.stdout : !o.stderr) return false;
    if (o.sinceNs != null && r.timeNs < o.sinceNs) return false;
    if (o.untilNs != null && r.timeNs > o.untilNs) {
      pastUntil = true;
      return false;
    }
    return true;
  };
  const toRecords = (chunk: Buffer): LogRecord[] => {
    const out: LogRecord[] = [];
    for (const line of splitter.push(chunk)) {
      const l = parseLogLine(line);
      if (!l) continue;
      const r = joiner.push(l);
      if (r && accept(r)) out.push(r);
    }
    return out;
  };

  // Open the live file first: whatever is rotated after this moment is still read through this fd.
  let live = await openIfExists(o.logPath);
  // Closed however the reader ends: a consumer that stops at any yield (a client gone while the
  // records already written are still being sent) ends the generator there, past no other finally.
  try {
    const names = rotatedNames(base, await fsp.readdir(dir).catch(() => [] as string[])).filter((n) => n !== base);

    // Phase 1: everything already written, tail applied. The tail counts each stream on its own:
    // conmon drains stdout and stderr in separate batches, so within a burst the file order of the two
    // streams is not the order the process wrote them (`echo a; echo b >&2; seq 5` logs b last), and a
    // combined count would let a late stderr line push stdout lines out of `--tail N`.
    const ring: LogRecord[] = [];
    const perStream = { stdout: 0, stderr: 0 };
    const emitInitial = (recs: LogRecord[]) => {
      for (const r of recs) {
        if (o.tail === null) ring.push(r);
        else if (o.tail > 0) {
          ring.push(r);
          if (++perStream[r.stream] > o.tail) {
            const i = ring.findIndex((x) => x.stream === r.stream);
            ring.splice(i, 1);
            perStream[r.stream]--;
          }
        }
      }
    };
    for (const n of names) {
      const fh = await openIfExists(path.join(dir, n));
      if (!fh) continue;
      try {
        for (let pos = 0; ; ) {
          const { bytesRead, buffer } = await fh.read(Buffer.alloc(CHUNK), 0, CHUNK, pos);
          if (bytesRead === 0) break;
          pos += bytesRead;
          emitInitial(toRecords(buffer.subarray(0, bytesRead)));
          if (o.tail === null && ring.length) yield* ring.splice(0);
        }
      } finally {
        await fh.close();
      }
    }
    let offset = 0;
    const drainLive = async (): Promise<LogRecord[]> => {
      const out: LogRecord[] = [];
      if (!live) return out;
      for (;;) {
        const { bytesRead, buffer } = await live.read(Buffer.alloc(CHUNK), 0, CHUNK, offset);
        if (bytesRead === 0) break;
        offset += bytesRead;
        out.push(...toRecords(buffer.subarray(0, bytesRead)));
      }
      return out;
    };
    emitInitial(await drainLive());
    if (!o.follow || pastUntil) {
      for (const r of joiner.flush()) if (accept(r)) emitInitial([r]);
      yield* ring;
      return;
    }
    yield* ring.splice(0);

    // Phase 2: follow.
    let stopped = false;
    void o.stopped?.then(
      () => (stopped = true),
      () => (stopped = true),
    );
    let wake: (() => void) | null = null;
    const poke = () => {
      const w = wake;
      wake = null;
      w?.();
    };
    let watcher: fs.FSWatcher | null = null;
    try {
      watcher = fs.watch(dir, { persistent: false }, poke);
      watcher.on('error', () => {});
    } catch {
      watcher = null;
    }
    const onAbort = () => poke();
    o.signal?.addEventListener('abort', onAbort);
    void o.stopped?.then(poke, poke);
    try {
      for (;;) {
        if (o.signal?.aborted) return;
        const wasStopped = stopped;
        yield* await drainLive();
        if (pastUntil) return;
        // A rotation renamed our file away: finish it, then continue with the new live file.
        const st = await fsp.stat(o.logPath).catch(() => null);
        const cur = live ? await live.stat().catch(() => null) : null;
        if (st && (!cur || st.ino !== cur.ino || st.dev !== cur.dev)) {
          yield* await drainLive();
          await live?.close();
          live = await openIfExists(o.logPath);
          offset = 0;
          continue;
        }
        if (wasStopped) {
          for (const r of joiner.flush()) if (accept(r)) yield r;
          return;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(poke, o.pollMs ?? 250);
        });
      }
    } finally {
      o.signal?.removeEventListener('abort', onAbort);
      watcher?.close();
    }
  } finally {
    await live?.close().catch(() => {});
  }
}

async function openIfExists(p: string): Promise<fsp.FileHandle | null> {
  try {
    return await fsp.open(p, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}
