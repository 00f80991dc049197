// The frames berthd and `berth-nsexec --serve` (native/berth_nsexec_serve.c) exchange: a 4-byte
// little-endian length, then fields separated by NUL bytes. Pure: no I/O.
//   request:  ID \0 TIMEOUT_MS \0 NARGS \0 ARG... \0 NENV \0 ENV... \0
//   response: ID \0 CODE \0 SIGNAL \0 PID \0 TIMED_OUT \0 LOG_LEN \0 OUT_LEN \0 LOG bytes OUT bytes

export interface ProbeRequest {
  id: string;
  timeoutMs: number;
  /** berth-nsexec's arguments (nsexec-plan.ts), without the program name. */
  args: string[];
  /** The process's environment, K=V. */
  env: string[];
}

export interface ProbeResponse {
  id: string;
  /** The helper's exit status; null when a signal ended it. */
  code: number | null;
  signal: number | null;
  /** The process's PID as the host sees it; 0 when it never ran. */
  pid: number;
  timedOut: boolean;
  /** The helper's log (the PID line, or runc-style error lines). */
  log: string;
  /** The process's stdout and stderr together, at most what the server keeps. */
  output: Buffer;
}

/** The largest frame the server accepts (MAX_FRAME there). */
export const MAX_PROBE_FRAME = 1 << 20;

export function encodeProbeRequest(r: ProbeRequest): Buffer {
  for (const s of [r.id, ...r.args, ...r.env]) {
    if (s.includes('\0')) throw new Error('a probe argument or environment entry holds a NUL byte');
  }
  const fields = [r.id, String(Math.max(0, Math.round(r.timeoutMs))), String(r.args.length), ...r.args, String(r.env.length), ...r.env];
  const body = Buffer.from(fields.map((f) => f + '\0').join(''), 'utf8');
  if (body.length > MAX_PROBE_FRAME) throw new Error(`a probe request of ${body.length} bytes is larger than the server takes`);
  const head = Buffer.alloc(4);
  head.writeUInt32LE(body.length);
  return Buffer.concat([head, body]);
}

/**
 * Takes the complete responses at the front of `buf`; `rest` is what is left (a partial frame).
 * Throws on a frame that is not a response (the server is not what berthd started).
 */
export function decodeProbeResponses(buf: Buffer): { responses: ProbeResponse[]; rest: Buffer } {
  const responses: ProbeResponse[] = [];
  let off = 0;
  while (buf.length - off >= 4) {
    const len = buf.readUInt32LE(off);
    if (len > MAX_PROBE_FRAME + 16384) throw new Error(`probe server frame of ${len} bytes`);
    if (buf.length - off - 4 < len) break;
    responses.push(decodeOne(buf.subarray(off + 4, off + 4 + len)));
    off += 4 + len;
  }
  return { responses, rest: buf.subarray(off) };
}

function decodeOne(body: Buffer): ProbeResponse {
  const fields: string[] = [];
  let at = 0;
  while (fields.length < 7) {
    const z = body.indexOf(0, at);
    if (z < 0) throw new Error('probe server response cut short');
    fields.push(body.toString('latin1', at, z));
    at = z + 1;
  }
  const num = (s: string) => {
    if (!/^-?\d+$/.test(s)) throw new Error(`probe server response field ${JSON.stringify(s)} is not a number`);
    return Number(s);
  };
  const [id, code, signal, pid, timedOut, logLen, outLen] = fields as [string, string, string, string, string, string, string];
  const ll = num(logLen);
  const ol = num(outLen);
  if (at + ll + ol !== body.length) throw new Error('probe server response lengths do not add up');
  const c = num(code);
  const s = num(signal);
  return {
    id,
    code: c >= 0 ? c : null,
    signal: s > 0 ? s : null,
    pid: num(pid),
    timedOut: timedOut === '1',
    log: body.toString('utf8', at, at + ll),
    output: Buffer.from(body.subarray(at + ll, at + ll + ol)),
  };
}
