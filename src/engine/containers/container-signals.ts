// docker stop and docker kill of a running container: signals through the runtime, the kill events,
// and the wait for the exit (bounded).
import type { Logger } from '../../daemon/logger.js';
import type { ContainerRuntime, ExitInfo } from './runtime-contract.js';
import type { ContainerRecord } from './container-model.js';
import { parseSignal, SIGKILL } from './signals.js';
import { KILL_WAIT_MS } from './container-removal.js';

export interface SignalDeps {
  runtime: ContainerRuntime;
  log: Logger;
  exitOf(id: string): Promise<ExitInfo | null>;
  publish(c: ContainerRecord, action: string, extra?: Record<string, string>): void;
}

/** docker stop of a running container: its stop signal, then SIGKILL after the timeout; resolves at its exit. */
export async function stopRunning(d: SignalDeps, c: ContainerRecord, opts: { signal?: string; timeout?: number }): Promise<void> {
  const exited = d.exitOf(c.id);
  const signal = parseSignal(opts.signal || c.config.StopSignal || 'SIGTERM');
  const timeout = opts.timeout ?? c.config.StopTimeout ?? 10;
  try {
    await d.runtime.kill(c.id, signal);
    d.publish(c, 'kill', { signal: String(signal) });
    if (c.state.status === 'paused') await d.runtime.resume(c.id).catch(() => {});
  } catch (e) {
    d.log.debug(`stop signal to ${c.id} failed, killing`, e);
  }
  if (timeout >= 0 && signal !== SIGKILL) {
    const timedOut = await Promise.race([exited.then(() => false), sleep(timeout * 1000).then(() => true)]);
    if (!timedOut) return;
    d.log.info(`container ${c.id.slice(0, 12)} did not stop within ${timeout}s after signal ${signal}; killing it`);
    await d.runtime.kill(c.id, SIGKILL).catch(() => {});
    d.publish(c, 'kill', { signal: String(SIGKILL) });
  }
  await exited;
}

/** docker kill of a running container (marked stopped by its user, so no policy restarts it). */
export async function killRunning(d: SignalDeps, c: ContainerRecord, signal?: string): Promise<void> {
  const sig = parseSignal(signal || 'SIGKILL');
  c.manuallyStopped = true;
  const exited = d.exitOf(c.id);
  await d.runtime.kill(c.id, sig);
  d.publish(c, 'kill', { signal: String(sig) });
  if (sig === SIGKILL) {
    if (c.state.status === 'paused') await d.runtime.resume(c.id).catch(() => {});
    // Docker's kill with SIGKILL returns once the container is down (bounded at 10 s), so an
    // inspect right after it sees "exited 137".
    await Promise.race([exited, sleep(KILL_WAIT_MS)]);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
