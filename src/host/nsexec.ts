// berth-nsexec (native/berth_nsexec.c): the exec path without runc's start-up. A non-tty exec costs
// one `runc exec` otherwise: two Go runtimes starting (runc, then `runc init` inside the container),
// ~45 ms here, against ~5 ms for this helper doing the same joins. Only for execs it can do
// completely (lib/oci/nsexec-plan.ts decides); everything else, and any container runc's state does
// not describe the way the plan expects, goes to runc.
import fs from 'node:fs';
import path from 'node:path';
import { planNsExec, type RuncStateFile } from '../lib/oci/nsexec-plan.js';
import type { RuntimeSpecProcess } from '../lib/oci/runtime-spec.js';
import { findNativeFile, sealedProgramPath } from './native.js';

/** The built helper, unless turned off (BERTH_NO_NSEXEC=1) or not executable. */
function findHelper(): string | null {
  if (process.env.BERTH_NO_NSEXEC === '1') return null;
  const p = findNativeFile('berth-nsexec');
  if (!p) return null;
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return p;
  } catch {
    return null;
  }
}

/** The helper's message when the container's init is not the process runc recorded any more. */
export const INIT_GONE = /^nsexec: container init process \d+ is gone/;

export class NsExec {
  private readonly states = new Map<string, RuncStateFile>();

  constructor(
    readonly helperPath: string,
    private readonly runcRoot: string,
  ) {}

  /**
   * The helper when it is built (and not turned off with BERTH_NO_NSEXEC=1), else null. It is run
   * from a sealed copy this daemon holds (native.sealedCopy), found by children at
   * /proc/<daemon>/fd/N; without one the helper makes such a copy of itself at each run (~2 ms).
   */
  static find(runcRoot: string): NsExec | null {
    const p = findHelper();
    if (!p) return null;
    return new NsExec(sealedProgramPath(p), runcRoot);
  }

  /**
   * The helper's arguments for this exec, or null when runc must run it. runc's state.json is read
   * once per container run (it does not change while the container runs) and dropped by forget().
   */
  plan(containerId: string, proc: RuntimeSpecProcess): string[] | null {
    let state = this.states.get(containerId);
    if (!state) {
      try {
        state = JSON.parse(fs.readFileSync(path.join(this.runcRoot, containerId, 'state.json'), 'utf8')) as RuncStateFile;
      } catch {
        return null; // not there or mid-write: runc knows what to do
      }
      if (!state || typeof state !== 'object' || !state.config) return null;
      this.states.set(containerId, state);
    }
    return planNsExec({ containerId, state, process: proc });
  }

  /** Drops what is known of a container (it stopped, was deleted, or its init is gone). */
  forget(containerId: string): void {
    this.states.delete(containerId);
  }
}
