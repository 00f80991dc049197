// Persistence and lookup of container records: one config.json per container, written atomically
// (temp file, fsync, rename, fsync of the directory), loaded at start-up into an in-memory index of
// names and IDs. The disk is the truth; the index is rebuilt from it.
import { BodyTypeError, checkBody, ContainerConfig, HostConfig } from '../../api/body-schema.js';
import { replaceFileSync, writeFileAtomic } from '../atomic-file.js';
import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { InvalidParameterError, noSuchContainer } from '../../errors.js';
import type { ContainerPaths, ContainerRecord } from './container-model.js';

export class ContainerStore {
  private readonly byId = new Map<string, ContainerRecord>();
  private readonly byName = new Map<string, string>();
  /** The name each ID is indexed under (records are mutated in place, so the old name lives here). */
  private readonly nameOf = new Map<string, string>();
  /** Names taken by creates still in flight, so two concurrent creates cannot both win a name. */
  private readonly reserved = new Map<string, string>();

  constructor(
    /** <dataRoot>/containers */
    readonly root: string,
    /** <dataRoot>/overlay */
    readonly overlayRoot: string,
  ) {}

  /**
   * Each container's paths, made once: they are asked for on every exec, probe, exit poll and log
   * check (hundreds of times a second with 50 probed containers), and never change. Dropped by forget().
   */
  private readonly pathsOf = new Map<string, Readonly<ContainerPaths>>();

  paths(id: string): Readonly<ContainerPaths> {
    let p = this.pathsOf.get(id);
    if (!p) {
      p = Object.freeze(this.makePaths(id));
      // Only containers this store knows are kept (a lookup of a stray ID must not grow the map).
      if (this.byId.has(id)) this.pathsOf.set(id, p);
    }
    return p;
  }

  private makePaths(id: string): ContainerPaths {
    const dir = path.join(this.root, id);
    const overlayDir = path.join(this.overlayRoot, id);
    return {
      dir,
      configFile: path.join(dir, 'config.json'),
      // The OCI bundle has its own config.json (the runtime spec), so it lives in a subdirectory.
      bundleDir: path.join(dir, 'bundle'),
      hostnameFile: path.join(dir, 'hostname'),
      hostsFile: path.join(dir, 'hosts'),
      resolvConfFile: path.join(dir, 'resolv.conf'),
      logFile: path.join(dir, 'ctr.log'),
      execDir: path.join(dir, 'exec'),
      overlayDir,
      upperDir: path.join(overlayDir, 'upper'),
      workDir: path.join(overlayDir, 'work'),
      mergedDir: path.join(overlayDir, 'merged'),
    };
  }

  /**
   * Reads every stored container. Directories without a readable config.json are half-made creates
   * (a daemon killed mid-create): they are returned in `orphans` for the caller to clean.
   */
  /** Records found at load that could not be read (kept on disk, not loaded), with the reason. */
  readonly unreadable: { id: string; reason: string }[] = [];

  async load(): Promise<{ loaded: ContainerRecord[]; orphans: string[] }> {
    await fs.mkdir(this.root, { recursive: true, mode: 0o710 });
    await fs.mkdir(this.overlayRoot, { recursive: true, mode: 0o710 });
    const loaded: ContainerRecord[] = [];
    const orphans: string[] = [];
    for (const entry of await fs.readdir(this.root, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const dir = path.join(this.root, entry.name);
      // Temp files of an interrupted atomic write are never the truth.
      for (const f of await fs.readdir(dir).catch(() => [] as string[])) {
        if (f.startsWith('.tmp-')) await fs.rm(path.join(dir, f), { force: true });
      }
      let rec: ContainerRecord;
      let text: string;
      try {
        text = await fs.readFile(path.join(dir, 'config.json'), 'utf8');
      } catch {
        // No record: a create or removal cut short by a crash; start-up cleans it.
        orphans.push(entry.name);
        continue;
      }
      try {
        rec = JSON.parse(text) as ContainerRecord;
        if (rec.id !== entry.name || typeof rec.name !== 'string') throw new Error('its id or name does not match');
        checkRecordTypes(rec);
      } catch (e) {
        // A record that cannot be read is skipped and kept on disk, not cleaned (as dockerd logs and
        // skips a container it cannot load): ps, inspect and the start-up go on without it.
        this.unreadable.push({ id: entry.name, reason: (e as Error).message });
        continue;
      }
      this.byId.set(rec.id, rec);
      this.byName.set(rec.name, rec.id);
      this.nameOf.set(rec.id, rec.name);
      loaded.push(rec);
    }
    // Overlay directories whose container is gone (killed between the two removals) are orphans too.
    for (const entry of await fs.readdir(this.overlayRoot).catch(() => [] as string[])) {
      if (!this.byId.has(entry) && !orphans.includes(entry) && !this.unreadable.some((u) => u.id === entry)) orphans.push(entry);
    }
    return { loaded, orphans };
  }

  all(): ContainerRecord[] {
    return [...this.byId.values()];
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /**
   * Docker's lookup order: full ID, then exact name (with or without the leading slash), then a
   * unique ID prefix. An ambiguous prefix is an error that says so.
   */
  find(idOrName: string): ContainerRecord {
    const rec = this.tryFind(idOrName);
    if (!rec) throw noSuchContainer(idOrName);
    return rec;
  }

  tryFind(idOrName: string): ContainerRecord | undefined {
    if (!idOrName) return undefined;
    const exact = this.byId.get(idOrName);
    if (exact) return exact;
    const name = idOrName.startsWith('/') ? idOrName.slice(1) : idOrName;
    const byName = this.byName.get(name);
    if (byName) return this.byId.get(byName);
    if (!/^[0-9a-f]+$/.test(idOrName)) return undefined;
    let found: ContainerRecord | undefined;
    for (const [id, rec] of this.byId) {
      if (!id.startsWith(idOrName)) continue;
      if (found) throw new InvalidParameterError(`multiple IDs found with provided prefix: ${idOrName}`);
      found = rec;
    }
    return found;
  }

  /** The ID holding `name` (stored or being created), if any. */
  nameOwner(name: string): string | undefined {
    return this.byName.get(name) ?? this.reserved.get(name);
  }

  reserveName(name: string, id: string): void {
    this.reserved.set(name, id);
  }

  releaseName(name: string): void {
    this.reserved.delete(name);
  }

  /** Writes the record atomically and (re)indexes it. */
  async save(rec: ContainerRecord): Promise<void> {
    await this.write(rec, true);
  }

  /**
   * Saves a change of run state only (started, exited, paused): atomically but without fsync. After a
   * power cut the record may show the state before, which start-up reconciles with what the runtime
   * and conmon's exit files say; the record's existence and configuration are always saved durably.
   */
  async saveState(rec: ContainerRecord): Promise<void> {
    await this.write(rec, false);
  }

  private async write(rec: ContainerRecord, sync: boolean): Promise<void> {
    const p = this.paths(rec.id);
    const text = JSON.stringify(rec, null, 2) + '\n';
    if (sync) {
      await fs.mkdir(p.dir, { recursive: true, mode: 0o710 });
      await writeFileAtomic(p.configFile, text, 0o600);
    } else {
      replaceFileSync(p.configFile, text, 0o600);
    }
    const oldName = this.nameOf.get(rec.id);
    if (oldName !== undefined && oldName !== rec.name && this.byName.get(oldName) === rec.id) this.byName.delete(oldName);
    this.byId.set(rec.id, rec);
    this.byName.set(rec.name, rec.id);
    this.nameOf.set(rec.id, rec.name);
    this.reserved.delete(rec.name);
  }

  /**
   * Forgets the container: its record file goes (the one step that makes it gone, also across a crash)
   * and its name is free. The directory stays for removeFiles.
   */
  async forget(id: string): Promise<void> {
    const name = this.nameOf.get(id);
    fsSync.rmSync(this.paths(id).configFile, { force: true });
    this.byId.delete(id);
    this.nameOf.delete(id);
    this.pathsOf.delete(id);
    if (name !== undefined && this.byName.get(name) === id) this.byName.delete(name);
  }

  /** Deletes a forgotten container's directory (logs, bundle, /etc files). */
  async removeFiles(id: string): Promise<void> {
    await fs.rm(this.paths(id).dir, { recursive: true, force: true });
  }

  /** Forgets the container and deletes its directory (config, logs, bundle). */
  async delete(id: string): Promise<void> {
    await this.forget(id);
    await this.removeFiles(id);
  }
}

export { writeFileAtomic };

/** The stored config and host config must have the wire types the rest of the engine relies on. */
function checkRecordTypes(rec: ContainerRecord): void {
  try {
    checkBody(rec.config ?? {}, { struct: ContainerConfig, go: 'container.Config' }, 'container.Config');
    checkBody(rec.hostConfig ?? {}, HostConfig, 'container.HostConfig');
  } catch (e) {
    if (e instanceof BodyTypeError) throw new Error(`its configuration is malformed: ${e.message}`);
    throw e;
  }
}
