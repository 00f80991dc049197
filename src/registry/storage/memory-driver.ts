// An in-memory storage driver: the fake for unit tests of the code above the driver seam. It keeps the
// same contract (and passes the same shared suite) as the real drivers.
import { Readable } from 'node:stream';
import { checkKey, StorageNotFoundError, type ByteSpan, type ObjectInfo, type StorageDriver } from './driver.js';

export class MemoryDriver implements StorageDriver {
  readonly kind = 'memory';
  private readonly objects = new Map<string, { data: Buffer; modified: Date }>();

  private isPrefix(key: string): boolean {
    const p = key === '' ? '' : `${key}/`;
    for (const k of this.objects.keys()) if (k.startsWith(p)) return true;
    return false;
  }

  async stat(key: string): Promise<ObjectInfo | undefined> {
    checkKey(key);
    const o = this.objects.get(key);
    if (o) return { size: o.data.length, modified: o.modified, isPrefix: false };
    return this.isPrefix(key) ? { size: 0, modified: new Date(), isPrefix: true } : undefined;
  }

  async getContent(key: string): Promise<Buffer | undefined> {
    return this.objects.get(checkKey(key))?.data;
  }

  async reader(key: string, span?: ByteSpan): Promise<Readable | undefined> {
    const o = this.objects.get(checkKey(key));
    if (!o) return undefined;
    return Readable.from([span ? o.data.subarray(span.start, span.end + 1) : o.data]);
  }

  async putContent(key: string, data: Buffer | string): Promise<void> {
    this.objects.set(checkKey(key), { data: Buffer.from(data), modified: new Date() });
  }

  async putStream(key: string, source: Readable): Promise<number> {
    checkKey(key);
    const chunks: Buffer[] = [];
    for await (const c of source) chunks.push(Buffer.from(c as Buffer));
    const data = Buffer.concat(chunks);
    this.objects.set(key, { data, modified: new Date() });
    return data.length;
  }

  async list(prefix: string): Promise<string[]> {
    checkKey(prefix, true);
    const p = prefix === '' ? '' : `${prefix}/`;
    const out = new Set<string>();
    for (const k of this.objects.keys()) if (k.startsWith(p)) out.add(k.slice(p.length).split('/')[0]!);
    return [...out].sort();
  }

  async delete(key: string): Promise<void> {
    checkKey(key);
    for (const k of [...this.objects.keys()]) if (k === key || k.startsWith(`${key}/`)) this.objects.delete(k);
  }

  async move(from: string, to: string): Promise<void> {
    checkKey(to);
    const o = this.objects.get(checkKey(from));
    if (!o) throw new StorageNotFoundError(`no object at ${from}`);
    this.objects.set(to, o);
    this.objects.delete(from);
  }
}
