// The poll fallback for an exec's conmon: its pipes normally report the PID and the exit code and its
// attach socket ends with the output, but a wait on them alone has no bound if a wake-up is lost (a
// pipe or socket end still held open somewhere, an event missed). This watches the files conmon leaves
// (the exit file it writes before reporting, the monitor's PID file) so every wait can end once the
// process and its monitor are gone.
import fsp from 'node:fs/promises';
import { processRunning, readIntFile } from './process-state.js';

export interface ExecMonitorOptions {
  /** conmon's `--exit-dir`/<cid>: written (before the sync-pipe report) once the process exited. */
  exitFile: string;
  /** conmon's `-P` file: the monitor's PID, written by the launcher before it exits. */
  conmonPidFile: string;
  /** Settles when the launcher (the process we spawned) exited. */
  launched: Promise<unknown>;
  pollMs: number;
  /** Injectable for tests; default: signal 0. */
  isAlive?: (pid: number) => boolean;
}

export interface ExecMonitorWatch {
  /**
   * Resolves once the exit is recorded or the monitor is gone: with the exit file's code, or null
   * when the monitor died (or never started) without writing one. Never rejects.
   */
  readonly gone: Promise<number | null>;
  stop(): void;
}

export function watchExecMonitor(o: ExecMonitorOptions): ExecMonitorWatch {
  const alive = o.isAlive ?? processRunning;
  let stopped = false;
  let launcherExited = false;
  let noPidTicks = 0;
  let timer: NodeJS.Timeout | undefined;
  let checking = false;
  let resolveGone!: (code: number | null) => void;
  const gone = new Promise<number | null>((r) => (resolveGone = r));
  const finish = (code: number | null) => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    resolveGone(code);
  };
  void o.launched.then(
    () => (launcherExited = true),
    () => (launcherExited = true),
  );
  const check = async () => {
    if (stopped || checking) return;
    checking = true;
    try {
      const code = readIntFile(o.exitFile);
      if (code !== null) return finish(code);
      const pid = readIntFile(o.conmonPidFile);
      if (pid !== null && pid > 0) {
        // conmon writes the exit file before it exits: read it once more in case it did so between
        // the two reads above; if it is still absent the monitor died without recording an exit.
        if (!alive(pid)) finish(readIntFile(o.exitFile));
      } else if (launcherExited && ++noPidTicks >= 2) {
        finish(null); // the launcher ended without naming a monitor: nothing will ever report
      }
    } finally {
      checking = false;
    }
  };
  // Check at once: the exit may have landed before this watch was armed.
  void check();
  timer = setInterval(() => void check(), o.pollMs);
  return {
    gone,
    // Stops polling; `gone` then stays pending (whoever raced against it has its answer already).
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
