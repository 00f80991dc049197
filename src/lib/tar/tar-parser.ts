// A push parser for tar streams (ustar, GNU and PAX), for the build context: chunks go in as they
// arrive, and the sink is called synchronously with each header and with the pieces of its content
// (views into the chunks, never copies). It exists because the build context is the one tar whose
// every byte sits on a latency path: a fully cached `docker build` is mostly "receive 20 MB, hash
// it, answer", and a per-entry stream with a promise per chunk (tar-stream's model) tripled the
// daemon's CPU time per build (measured: 104 ms vs 43 ms for receive+sha256 alone).
// Handles: PAX extended headers (path, linkpath, size, mtime, uid, gid; global ones as defaults),
// GNU long names and long link names, base-256 numbers, the ustar prefix field, old-style directories
// (a regular file whose name ends in "/"), the end-of-archive zero block. Header checksums are
// verified (signed or unsigned sums, as Go's archive/tar accepts).

export type TarEntryType = 'file' | 'link' | 'symlink' | 'character-device' | 'block-device' | 'directory' | 'fifo' | 'contiguous-file' | 'unknown';

export interface TarHeader {
  name: string;
  type: TarEntryType;
  /** The raw type flag (for messages about unknown types). */
  flag: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: Date;
  linkname: string;
  devmajor: number;
  devminor: number;
}

export interface TarSink {
  entry(h: TarHeader): void;
  /** A piece of the current entry's content (a view into the pushed chunk: copy it to keep it past the call). */
  data(piece: Uint8Array): void;
  /** The current entry's content is complete. */
  end(): void;
}

export class TarFormatError extends Error {}

const BLOCK = 512;
/** Bound on PAX and GNU long-name records held in memory. */
const MAX_META = 1 << 20;

const TYPES: Record<string, TarEntryType> = {
  '0': 'file',
  '\0': 'file',
  '1': 'link',
  '2': 'symlink',
  '3': 'character-device',
  '4': 'block-device',
  '5': 'directory',
  '6': 'fifo',
  '7': 'contiguous-file',
};

const decoder = new TextDecoder('utf-8');

function cString(b: Uint8Array, off: number, len: number): string {
  let end = off;
  while (end < off + len && b[end] !== 0) end++;
  return decoder.decode(b.subarray(off, end));
}

/** A numeric field: octal text, or base-256 when the top bit of the first byte is set (GNU). */
function number(b: Uint8Array, off: number, len: number): number {
  if (b[off]! & 0x80) {
    let v = b[off]! & 0x7f;
    for (let i = 1; i < len; i++) v = v * 256 + b[off + i]!;
    return v;
  }
  let v = 0;
  let seen = false;
  for (let i = off; i < off + len; i++) {
    const c = b[i]!;
    if (c >= 0x30 && c <= 0x37) {
      v = v * 8 + (c - 0x30);
      seen = true;
    } else if (c === 0 || c === 0x20) {
      if (seen) break;
    } else throw new TarFormatError(`invalid tar header: bad number field at offset ${off}`);
  }
  return v;
}

function checksumOk(b: Uint8Array): boolean {
  const want = number(b, 148, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const c = i >= 148 && i < 156 ? 0x20 : b[i]!;
    unsigned += c;
    signed += c > 127 ? c - 256 : c;
  }
  return want === unsigned || want === signed;
}

function isZeroBlock(b: Uint8Array): boolean {
  for (let i = 0; i < BLOCK; i++) if (b[i] !== 0) return false;
  return true;
}

/** PAX records: "<len> <key>=<value>\n" repeated. */
export function parsePax(b: Uint8Array): Map<string, string> {
  const out = new Map<string, string>();
  let off = 0;
  while (off < b.length) {
    let sp = off;
    while (sp < b.length && b[sp] !== 0x20) sp++;
    const len = Number(decoder.decode(b.subarray(off, sp)));
    if (!Number.isInteger(len) || len <= 0 || off + len > b.length) {
      if (b.subarray(off).every((x) => x === 0)) break;
      throw new TarFormatError('invalid tar header: malformed PAX record');
    }
    const rec = decoder.decode(b.subarray(sp + 1, off + len - 1));
    const eq = rec.indexOf('=');
    if (eq < 0) throw new TarFormatError('invalid tar header: malformed PAX record');
    out.set(rec.slice(0, eq), rec.slice(eq + 1));
    off += len;
  }
  return out;
}

export class TarParser {
  /** Bytes of a header not yet complete. */
  private head = new Uint8Array(BLOCK);
  private headLen = 0;
  /** Content bytes left in the current entry, then padding to skip. */
  private left = 0;
  private pad = 0;
  private inEntry = false;
  /** A PAX or GNU long-name record being collected (its type flag and bytes). */
  private meta: { flag: string; buf: Uint8Array; len: number } | null = null;
  private pax = new Map<string, string>();
  private globalPax = new Map<string, string>();
  private longName: string | null = null;
  private longLink: string | null = null;
  private ended = false;

  constructor(private readonly sink: TarSink) {}

  /** Feeds the next chunk; throws TarFormatError on malformed input. */
  push(chunk: Uint8Array): void {
    let off = 0;
    while (off < chunk.length && !this.ended) {
      if (this.left > 0) {
        const n = Math.min(this.left, chunk.length - off);
        const piece = chunk.subarray(off, off + n);
        if (this.meta) {
          this.meta.buf.set(piece, this.meta.len);
          this.meta.len += n;
        } else this.sink.data(piece);
        this.left -= n;
        off += n;
        if (this.left === 0) this.finishContent();
        continue;
      }
      if (this.pad > 0) {
        const n = Math.min(this.pad, chunk.length - off);
        this.pad -= n;
        off += n;
        continue;
      }
      // A header: straight from the chunk when it holds the whole block.
      if (this.headLen === 0 && chunk.length - off >= BLOCK) {
        this.header(chunk.subarray(off, off + BLOCK));
        off += BLOCK;
        continue;
      }
      const n = Math.min(BLOCK - this.headLen, chunk.length - off);
      this.head.set(chunk.subarray(off, off + n), this.headLen);
      this.headLen += n;
      off += n;
      if (this.headLen === BLOCK) {
        this.headLen = 0;
        this.header(this.head);
      }
    }
  }

  /** The input is over: throws when it stopped inside an entry. */
  finish(): void {
    if (this.ended) return;
    if (this.left > 0 || this.headLen > 0 || this.meta || this.pad > 0 || this.inEntry) throw new TarFormatError('unexpected end of tar data');
    // No end-of-archive blocks at all is accepted (Go's reader returns EOF too).
  }

  private finishContent(): void {
    if (this.meta) {
      const { flag, buf, len } = this.meta;
      this.meta = null;
      const data = buf.subarray(0, len);
      if (flag === 'x') for (const [k, v] of parsePax(data)) this.pax.set(k, v);
      else if (flag === 'g') for (const [k, v] of parsePax(data)) this.globalPax.set(k, v);
      else if (flag === 'L') this.longName = cString(data, 0, data.length);
      else if (flag === 'K') this.longLink = cString(data, 0, data.length);
    } else {
      this.inEntry = false;
      this.sink.end();
    }
  }

  private header(b: Uint8Array): void {
    if (isZeroBlock(b)) {
      this.ended = true;
      return;
    }
    if (!checksumOk(b)) throw new TarFormatError('invalid tar header: checksum mismatch');
    const flag = String.fromCharCode(b[156]!);
    let size = number(b, 124, 12);
    const padOf = (s: number) => (BLOCK - (s % BLOCK)) % BLOCK;
    if (flag === 'x' || flag === 'g' || flag === 'L' || flag === 'K') {
      if (size > MAX_META) throw new TarFormatError(`invalid tar header: ${flag} record of ${size} bytes is too large`);
      this.meta = { flag, buf: new Uint8Array(size), len: 0 };
      this.left = size;
      this.pad = padOf(size);
      if (size === 0) this.finishContent();
      return;
    }
    const magic = cString(b, 257, 6);
    let name = cString(b, 0, 100);
    // The ustar prefix (POSIX); GNU's "ustar  " header keeps other fields there.
    if (magic === 'ustar' && b[263] === 0x30 && b[264] === 0x30) {
      const prefix = cString(b, 345, 155);
      if (prefix) name = `${prefix}/${name}`;
    }
    let linkname = cString(b, 157, 100);
    let mtime = number(b, 136, 12);
    let uid = number(b, 108, 8);
    let gid = number(b, 116, 8);
    const pax = new Map([...this.globalPax, ...this.pax]);
    this.pax = new Map();
    if (this.longName !== null) name = this.longName;
    if (this.longLink !== null) linkname = this.longLink;
    this.longName = this.longLink = null;
    if (pax.has('path')) name = pax.get('path')!;
    if (pax.has('linkpath')) linkname = pax.get('linkpath')!;
    if (pax.has('size')) size = Number(pax.get('size'));
    if (pax.has('mtime')) mtime = Number(pax.get('mtime'));
    if (pax.has('uid')) uid = Number(pax.get('uid'));
    if (pax.has('gid')) gid = Number(pax.get('gid'));
    if (!Number.isSafeInteger(size) || size < 0) throw new TarFormatError('invalid tar header: bad size');
    let type = TYPES[flag] ?? 'unknown';
    if (type === 'file' && name.endsWith('/')) type = 'directory';
    // Links, directories and devices carry no content whatever their size field says.
    if (type === 'link' || type === 'symlink' || type === 'directory' || type === 'character-device' || type === 'block-device' || type === 'fifo') size = 0;
    this.sink.entry({
      name,
      type,
      flag,
      mode: number(b, 100, 8),
      uid,
      gid,
      size,
      mtime: new Date((Number.isFinite(mtime) ? mtime : 0) * 1000),
      linkname,
      devmajor: type === 'character-device' || type === 'block-device' ? number(b, 329, 8) : 0,
      devminor: type === 'character-device' || type === 'block-device' ? number(b, 337, 8) : 0,
    });
    this.inEntry = true;
    this.left = size;
    this.pad = padOf(size);
    if (size === 0) this.finishContent();
  }
}
