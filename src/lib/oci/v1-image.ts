// Converting a v1 image JSON (the per-layer `json` of a `docker save` archive from before Docker 1.10)
// into an image config byte for byte as Docker does (image/v1 MakeConfigFromV1Config and
// HistoryFromConfig), so the image IDs of a loaded legacy archive are the ones Docker gives it.
// Docker unmarshals the JSON into a map of raw values, drops the v1 bookkeeping keys, adds `rootfs` and
// `history`, and marshals the map again: Go sorts the keys, compacts each raw value and escapes
// <, >, & and U+2028/2029 in it (json.Marshal's HTML-safe default).
//
// Not reproduced: for JSON written by Docker older than 1.8.3 Docker first round-trips it through its
// V1Image struct (dropping unknown fields and adding the struct's empty ones); such archives load with
// the same content here, under other IDs.

/** Go's json.Compact with the HTML escaping json.Marshal applies to raw values. Throws on bad JSON. */
export function goCompact(raw: string): string {
  let out = '';
  let i = 0;
  const n = raw.length;
  const esc = (ch: string): string => {
    switch (ch) {
      case '<':
        return '\\u003c';
      case '>':
        return '\\u003e';
      case '&':
        return '\\u0026';
      case '\u2028':
        return '\\u2028';
      case '\u2029':
        return '\\u2029';
      default:
        return ch;
    }
  };
  while (i < n) {
    const ch = raw[i]!;
    if (ch === '"') {
      // A string: copied as written (escapes kept), with the HTML-unsafe characters escaped.
      out += ch;
      i++;
      for (;;) {
        if (i >= n) throw new SyntaxError('unterminated string in JSON');
        const c = raw[i]!;
        if (c === '\\') {
          out += c + (raw[i + 1] ?? '');
          i += 2;
          continue;
        }
        out += esc(c);
        i++;
        if (c === '"') break;
      }
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      i++;
      continue;
    }
    out += ch;
    i++;
  }
  JSON.parse(out); // Go's compact validates as it goes; a bad value is refused here too.
  return out;
}

/** Go's encoding of a string (json.Marshal, HTML-safe). */
function goString(s: string): string {
  return goCompact(JSON.stringify(s));
}

/**
 * The members of a JSON object as (decoded key, raw value text), in order; a repeated key keeps the
 * last value, as Go's decoder into a map does. Throws unless `raw` is one JSON object.
 */
export function rawMembers(raw: string): Map<string, string> {
  const parsed: unknown = JSON.parse(raw);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new SyntaxError('v1 image JSON is not an object');
  const out = new Map<string, string>();
  let i = 0;
  const ws = () => {
    while (i < raw.length && ' \t\n\r'.includes(raw[i]!)) i++;
  };
  const skipString = () => {
    i++; // opening quote
    while (raw[i] !== '"') i += raw[i] === '\\' ? 2 : 1;
    i++;
  };
  // Moves i past the value starting there (JSON.parse above proved the text well formed).
  const skipValue = () => {
    const c = raw[i]!;
    if (c === '"') return skipString();
    if (c !== '{' && c !== '[') {
      while (i < raw.length && !',}] \t\n\r'.includes(raw[i]!)) i++;
      return;
    }
    let depth = 0;
    do {
      const d = raw[i]!;
      if (d === '"') {
        skipString();
        continue;
      }
      if (d === '{' || d === '[') depth++;
      else if (d === '}' || d === ']') depth--;
      i++;
    } while (depth > 0);
  };
  ws();
  i++; // {
  ws();
  while (raw[i] !== '}') {
    const ks = i;
    skipString();
    const key = JSON.parse(raw.slice(ks, i)) as string;
    ws();
    i++; // :
    ws();
    const vs = i;
    skipValue();
    out.delete(key);
    out.set(key, raw.slice(vs, i));
    ws();
    if (raw[i] === ',') {
      i++;
      ws();
    }
  }
  return out;
}

/** A timestamp as Go's time.Time marshals after parsing RFC 3339: fraction without trailing zeros, Z for UTC. */
export function goTime(s: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})$/.exec(s);
  if (!m) throw new SyntaxError(`parsing time ${JSON.stringify(s)} as RFC 3339 failed`);
  const frac = (m[3] ?? '').slice(0, 9).replace(/0+$/, '');
  const zone = m[4]!.toUpperCase() === 'Z' || /^[+-]00:00$/.test(m[4]!) ? 'Z' : m[4]!;
  return `${m[1]}T${m[2]}${frac ? `.${frac}` : ''}${zone}`;
}

export interface V1History {
  created: string;
  author?: string;
  created_by?: string;
  comment?: string;
}

interface V1Fields {
  created?: unknown;
  author?: unknown;
  comment?: unknown;
  container_config?: { Cmd?: unknown } | null;
}

/** One history entry from a v1 JSON (HistoryFromConfig): created, author, the build command, comment. */
export function historyFromV1(v1Json: string): V1History {
  const v = JSON.parse(v1Json) as V1Fields;
  const str = (x: unknown) => (typeof x === 'string' ? x : '');
  const cmd = Array.isArray(v.container_config?.Cmd) ? (v.container_config.Cmd as unknown[]).map(String).join(' ') : '';
  const h: V1History = { created: typeof v.created === 'string' && v.created ? goTime(v.created) : '0001-01-01T00:00:00Z' };
  if (str(v.author)) h.author = str(v.author);
  if (cmd) h.created_by = cmd;
  if (str(v.comment)) h.comment = str(v.comment);
  return h;
}

function historyJson(h: V1History): string {
  let s = `{"created":${goString(h.created)}`;
  if (h.author) s += `,"author":${goString(h.author)}`;
  if (h.created_by) s += `,"created_by":${goString(h.created_by)}`;
  if (h.comment) s += `,"comment":${goString(h.comment)}`;
  return `${s}}`;
}

/** The keys Docker drops from a v1 JSON: v1 identity and sizes, recomputed or meaningless now. */
const V1_ONLY = ['id', 'parent', 'Size', 'parent_id', 'layer_id', 'throwaway'];

/**
 * The image config Docker makes from a layer's v1 JSON, the diff IDs of the chain up to it and the
 * history of that chain (MakeConfigFromV1Config): the exact bytes whose digest is the image ID.
 */
export function configFromV1(v1Json: string, diffIds: string[], history: V1History[]): string {
  const members = rawMembers(v1Json);
  for (const k of V1_ONLY) members.delete(k);
  members.set('rootfs', `{"type":"layers"${diffIds.length ? `,"diff_ids":[${diffIds.map(goString).join(',')}]` : ''}}`);
  members.set('history', `[${history.map(historyJson).join(',')}]`);
  // Go sorts map keys by their bytes.
  const keys = [...members.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return `{${keys.map((k) => `${goString(k)}:${goCompact(members.get(k)!)}`).join(',')}}`;
}
