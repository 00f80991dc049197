// The build cache and its memory of why a step missed. Two small JSON files under
// <data-root>/builder/, each rewritten atomically (temp file, fsync, rename) after a build:
// - cache.json: cache key -> image ID. The key is the sha256 of the parent image ID, the step's
//   recorded command after substitution (which carries the build args a RUN sees and, for ADD/COPY,
//   the hash of the sources' content and metadata). An entry whose image is gone is ignored.
//   Both are read once into memory (lookups never touch the disk) and written only when a build
//   changed them: a fully cached build writes nothing, so it waits for no fsync.
// - steps.json: for each step as written in a Dockerfile (stage, position, text), the inputs it had the
//   last time it was built: parent, build args, per-file source hashes. A miss compares against it and
//   says what changed in one line.
import fsp from 'node:fs/promises';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { writeFileAtomic } from '../atomic-file.js';

export interface StepInputs {
  parent: string;
  createdBy: string;
  args: Record<string, string>;
  sources?: Record<string, string>;
  /** True when the parent was itself rebuilt in that build. */
  parentRebuilt?: boolean;
}

const MAX_ENTRIES = 20000;

export function cacheKey(parent: string, createdBy: string, extra = ''): string {
  return createHash('sha256').update(`${parent}\n${createdBy}\n${extra}`).digest('hex');
}

export function stepSignature(parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex');
}

/** The one line saying why a step that was built before is built again (null when nothing is known). */
export function whyMissed(prev: StepInputs | undefined, now: StepInputs): string | null {
  if (!prev) return null;
  if (now.parentRebuilt || prev.parent !== now.parent) return 'cache miss: parent step rebuilt';
  const names = new Set([...Object.keys(prev.args), ...Object.keys(now.args)]);
  for (const n of [...names].sort()) if (prev.args[n] !== now.args[n]) return `cache miss: build arg ${n} changed`;
  if (prev.sources || now.sources) {
    const a = prev.sources ?? {};
    const b = now.sources ?? {};
    for (const k of Object.keys(b).sort()) {
      if (!(k in a)) return `cache miss: ${k} added`;
      if (a[k] !== b[k]) return `cache miss: ${k} changed`;
    }
    for (const k of Object.keys(a).sort()) if (!(k in b)) return `cache miss: ${k} removed`;
  }
  if (prev.createdBy !== now.createdBy) return 'cache miss: instruction changed';
  return 'cache miss: cached image was removed';
}

export class StepCache {
  private entries: Record<string, string> = {};
  private steps: Record<string, StepInputs> = {};
  private loaded = false;
  private dirty = false;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly dir: string) {}

  /** Reads the index at daemon start-up, so the first build does not wait for it. */
  init(): Promise<void> {
    return this.load();
  }

  private async load(): Promise<void> {
    if (this.loaded) return;
    await fsp.mkdir(this.dir, { recursive: true, mode: 0o700 });
    const read = async (f: string) => {
      try {
        return JSON.parse(await fsp.readFile(path.join(this.dir, f), 'utf8')) as Record<string, never>;
      } catch {
        return {};
      }
    };
    this.entries = await read('cache.json');
    this.steps = await read('steps.json');
    this.loaded = true;
  }

  async lookup(key: string): Promise<string | undefined> {
    await this.load();
    return this.entries[key];
  }

  async previous(sig: string): Promise<StepInputs | undefined> {
    await this.load();
    return this.steps[sig];
  }

  async record(key: string, imageId: string, sig: string, now: StepInputs): Promise<void> {
    await this.load();
    // Whether the parent was rebuilt is about this build only (whyMissed reads it from `now`): kept
    // out of the file, so a cached build after a rebuilt one records the same inputs and writes nothing.
    const { parentRebuilt: _, ...inputs } = now;
    if (this.entries[key] !== imageId) {
      this.entries[key] = imageId;
      this.dirty = true;
    }
    const prev = this.steps[sig];
    if (!prev || JSON.stringify(prev) !== JSON.stringify(inputs)) {
      this.steps[sig] = inputs;
      this.dirty = true;
    }
  }

  /** Writes both files (serialised); the oldest entries go when the index grows past its bound. */
  async flush(): Promise<void> {
    const run = async () => {
      await this.load();
      if (!this.dirty) return;
      this.dirty = false;
      const trim = <T>(o: Record<string, T>) => {
        const keys = Object.keys(o);
        return keys.length <= MAX_ENTRIES ? o : Object.fromEntries(keys.slice(keys.length - MAX_ENTRIES).map((k) => [k, o[k]!]));
      };
      this.entries = trim(this.entries);
      this.steps = trim(this.steps);
      await writeFileAtomic(path.join(this.dir, 'cache.json'), JSON.stringify(this.entries));
      await writeFileAtomic(path.join(this.dir, 'steps.json'), JSON.stringify(this.steps));
    };
    this.writing = this.writing.then(run, run);
    return this.writing;
  }
}
