// Docker's multiplexed stream framing, used by attach, exec and logs when the container has no TTY:
// each frame is an 8-byte header [stream, 0, 0, 0, size (uint32 big-endian)] followed by `size` bytes.
// stream: 0 = stdin, 1 = stdout, 2 = stderr. With a TTY the bytes flow raw, without headers.

export type StdStream = 'stdin' | 'stdout' | 'stderr';
const streamByte: Record<StdStream, number> = { stdin: 0, stdout: 1, stderr: 2 };
const byteStream: StdStream[] = ['stdin', 'stdout', 'stderr'];

export function frame(stream: StdStream, data: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header[0] = streamByte[stream];
  header.writeUInt32BE(data.length, 4);
  return Buffer.concat([header, data]);
}

/** Incremental demultiplexer: feed it chunks as they arrive, it calls back once per complete frame. */
export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0);
  constructor(private readonly onFrame: (stream: StdStream, data: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (this.pending.length >= 8) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) break;
      const stream = byteStream[this.pending[0]!] ?? 'stdout';
      this.onFrame(stream, this.pending.subarray(8, 8 + size));
      this.pending = this.pending.subarray(8 + size);
    }
  }

  /** Bytes of an incomplete frame left at the end of the stream. */
  get leftover(): number {
    return this.pending.length;
  }
}

export const RAW_STREAM_TYPE = 'application/vnd.docker.raw-stream';
export const MULTIPLEXED_STREAM_TYPE = 'application/vnd.docker.multiplexed-stream';
