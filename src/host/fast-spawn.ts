// Starting a helper process (conmon) without forking the daemon. Node's child_process forks, which
// copies the page tables of the whole daemon: 3-4 ms per spawn at berthd's size, on the path of every
// container start and exec. posix_spawn (vfork semantics) through the native addon costs ~0.3 ms.
// Same shape either way; without the addon this falls back to child_process.
import { spawn as nodeSpawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import type { Readable, Writable } from 'node:stream';
import * as native from './native.js';

/** What each child descriptor is: nothing (/dev/null), or a pipe the parent reads or writes. */
export type StdioKind = 'ignore' | 'read' | 'write';

export interface FastChild {
  pid: number;
  /** Per descriptor: the parent's end of the pipe, or null for 'ignore'. */
  streams: (Readable | Writable | null)[];
  /** The child's exit (it is reaped here); rejects when the program could not be run. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | number | null }>;
  kill(signal: NodeJS.Signals): void;
}

/** Whether fastSpawn uses posix_spawn (real pipes that a child can reopen through /proc/self/fd). */
export function nativeSpawnAvailable(): boolean {
  return native.available && process.env.BERTH_NO_FAST_SPAWN !== '1';
}

export interface SpawnOptions {
  env: NodeJS.ProcessEnv;
  cwd?: string;
  stdio: StdioKind[];
  /**
   * The child may live as long as a container (a monitor that does not daemonize): it is reaped on
   * SIGCHLD without the periodic check, and does not keep this process alive.
   */
  longLived?: boolean;
}

export function fastSpawn(file: string, args: string[], o: SpawnOptions): FastChild {
  if (!native.available || process.env.BERTH_NO_FAST_SPAWN === '1') return viaChildProcess(file, args, o);
  const childFds: number[] = [];
  const parentEnds: (number | null)[] = [];
  const toClose: number[] = [];
  try {
    for (const kind of o.stdio) {
      if (kind === 'ignore') {
        childFds.push(-1);
        parentEnds.push(null);
        continue;
      }
      const [r, w] = native.pipe();
      const [mine, theirs] = kind === 'read' ? [r, w] : [w, r];
      childFds.push(theirs);
      parentEnds.push(mine);
      toClose.push(theirs);
    }
    const pid = native.spawn(file, [file, ...args], o.env, o.cwd ?? null, childFds);
    const streams = parentEnds.map((fd, i) =>
      fd === null ? null : new net.Socket({ fd, readable: o.stdio[i] === 'read', writable: o.stdio[i] === 'write' }),
    );
    let reaped = false;
    const exited = native.waitpid(pid, { poll: !o.longLived }).then((s) => {
      reaped = true;
      return s;
    });
    return {
      pid,
      streams,
      exited,
      kill(signal) {
        if (!reaped) process.kill(pid, signal);
      },
    };
  } catch (e) {
    for (const fd of parentEnds) if (fd !== null) fs.closeSync(fd);
    throw e;
  } finally {
    // The child has its copies; ours would keep the pipes open past its exit.
    for (const fd of toClose) fs.closeSync(fd);
  }
}

function viaChildProcess(file: string, args: string[], o: SpawnOptions): FastChild {
  const child = nodeSpawn(file, args, { env: o.env, cwd: o.cwd, stdio: o.stdio.map((k) => (k === 'ignore' ? 'ignore' : 'pipe')) });
  if (o.longLived) child.unref();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return {
    pid: child.pid ?? 0,
    streams: (child.stdio as unknown as (Readable | Writable | null | undefined)[]).map((s) => s ?? null),
    exited,
    kill: (signal) => void child.kill(signal),
  };
}
