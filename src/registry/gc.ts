// Garbage collection, safe while the registry serves. Mark and sweep:
//
// 1. Open a "touch window" (Registry.beginGcWindow), holding the lock alone for that instant: from
//    now on every digest that is pushed, linked, mounted, HEAD-checked, or named by a manifest PUT is
//    recorded. Opening it under the lock matters: a manifest PUT that checked (and "touched", with no
//    window open) just before, but writes its revision just after the mark listed the repository,
//    would otherwise be seen by neither, and the sweep would take blobs it names.
// 2. Mark, without any lock: every manifest revision of every repository, and every blob those
//    manifests name (config, layers, index children, the manifests themselves).
// 3. Sweep, holding the registry's lock alone (manifest PUTs, upload completions and mounts wait for
//    it): a blob is removed only when it is unmarked, was not touched since step 1, and its content
//    and every link to it are older than the grace period (default 1 hour). The grace period spares
//    the blobs of a push in progress, whose manifest has not arrived yet; the touch window spares
//    what a push referenced while the mark ran; the lock spares what a manifest PUT is checking right
//    now (it either finished before the sweep, and touched its blobs, or starts after it and finds a
//    missing blob reported as MANIFEST_BLOB_UNKNOWN, never a manifest naming a deleted blob).
// 4. Uploads are never swept as blobs (their bytes live apart until verified); an upload is purged
//    only when it was started longer ago than the upload expiry (default 7 days, as distribution).
//
// The offline form (`berth-registry gc --root DIR`) runs the same code on a root no server is using.
import type { StorageDriver } from './storage/driver.js';
import { isBlobDigest, type BlobDigest } from '../lib/distribution/digest.js';
import { parseManifest } from '../lib/distribution/manifest.js';
import { BLOBS, layersKey } from './layout.js';
import type { Registry } from './registry.js';

export interface GcOptions {
  dryRun?: boolean;
  /** Blobs (and links) younger than this are kept. Default 1 hour. */
  graceMs?: number;
  /** Uploads started longer ago than this are purged. Default 7 days. */
  uploadExpiryMs?: number;
  log?: (line: string) => void;
}

export interface GcReport {
  marked: number;
  removed: { digest: string; size: number }[];
  bytesFreed: number;
  linksRemoved: number;
  uploadsPurged: number;
  keptYoung: number;
}

async function allBlobs(driver: StorageDriver): Promise<BlobDigest[]> {
  const out: BlobDigest[] = [];
  for (const alg of await driver.list(BLOBS)) {
    for (const hh of await driver.list(`${BLOBS}/${alg}`)) {
      for (const hex of await driver.list(`${BLOBS}/${alg}/${hh}`)) {
        const d = `${alg}:${hex}`;
        if (isBlobDigest(d)) out.push(d);
      }
    }
  }
  return out;
}

export async function collectGarbage(reg: Registry, opts: GcOptions = {}): Promise<GcReport> {
  const log = opts.log ?? (() => {});
  const graceMs = opts.graceMs ?? 3600_000;
  const uploadExpiryMs = opts.uploadExpiryMs ?? 7 * 24 * 3600_000;
  const start = Date.now();
  const touched = await reg.lock.exclusive(async () => reg.beginGcWindow());
  const report: GcReport = { marked: 0, removed: [], bytesFreed: 0, linksRemoved: 0, uploadsPurged: 0, keptYoung: 0 };
  try {
    // ---- mark ----
    const marked = new Set<string>();
    const repos = await reg.repositories();
    for (const repo of repos) {
      for (const d of await reg.manifests.revisions(repo)) {
        marked.add(d);
        const body = await reg.blobs.getContent(d);
        if (!body) continue;
        try {
          const p = parseManifest(body, undefined);
          for (const b of p.blobs) marked.add(b.digest);
          for (const m of p.manifests) marked.add(m.digest);
        } catch (e) {
          log(`gc: ${repo}@${d}: unreadable manifest kept with nothing it names (${(e as Error).message})`);
        }
      }
    }
    report.marked = marked.size;
    log(`gc: marked ${marked.size} blobs in ${repos.length} repositories`);

    // ---- sweep ----
    await reg.lock.exclusive(async () => {
      const cutoff = start - graceMs;
      const doomed = new Set<string>();
      for (const d of await allBlobs(reg.driver)) {
        if (marked.has(d) || touched.has(d)) continue;
        const modified = await reg.blobs.modified(d);
        if (modified && modified.getTime() > cutoff) {
          report.keptYoung++;
          continue;
        }
        doomed.add(d);
      }
      // A link made within the grace period also spares its blob (a push that linked an old blob).
      for (const repo of repos) {
        for (const d of [...doomed]) {
          const st = await reg.driver.stat(`${layersKey(repo)}/${d.replace(':', '/')}/link`);
          if (st && st.modified.getTime() > cutoff) {
            doomed.delete(d);
            report.keptYoung++;
          }
        }
      }
      for (const d of doomed) {
        const size = (await reg.blobs.size(d as BlobDigest)) ?? 0;
        report.removed.push({ digest: d, size });
        report.bytesFreed += size;
        log(`gc: ${opts.dryRun ? 'would remove' : 'removing'} blob ${d} (${size} bytes)`);
        if (!opts.dryRun) await reg.blobs.deleteData(d as BlobDigest);
      }
      for (const repo of repos) {
        for (const d of doomed) {
          if (await reg.blobs.isLinked(repo, d as BlobDigest)) {
            report.linksRemoved++;
            if (!opts.dryRun) await reg.blobs.unlink(repo, d as BlobDigest);
          }
        }
        for (const u of await reg.uploads.list(repo)) {
          if (u.started && start - u.started.getTime() > uploadExpiryMs) {
            report.uploadsPurged++;
            log(`gc: ${opts.dryRun ? 'would purge' : 'purging'} upload ${repo}/${u.id} started ${u.started.toISOString()}`);
            if (!opts.dryRun) await reg.uploads.purge(repo, u.id);
          }
        }
      }
    });
  } finally {
    reg.endGcWindow();
  }
  log(`gc: ${opts.dryRun ? 'would remove' : 'removed'} ${report.removed.length} blobs (${report.bytesFreed} bytes), ${report.linksRemoved} links, ${report.uploadsPurged} uploads; kept ${report.keptYoung} young`);
  return report;
}
