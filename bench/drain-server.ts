// The floor of the build benchmark: a server that speaks just enough of the Engine API for the docker
// CLI's classic `docker build` (`/_ping` with Builder-Version 1, then POST /build) and does nothing
// with the context but read it to the end and answer with a finished build. The time the same CLI
// takes against it is what any daemon must pay to receive the context; berthd's cached rebuild can
// only be faster than dockerd's by what lies above it. Raw sockets with a small chunked-body reader,
// so the floor is the CLI's cost, not an HTTP library's.
//
//   node dist/bench/drain-server.js SOCKET
import net from 'node:net';
import fs from 'node:fs';

const sock = process.argv[2];
if (!sock) throw new Error('usage: drain-server SOCKET');
fs.rmSync(sock, { force: true });

const ID = `sha256:${'0'.repeat(64)}`;
const BODY = `${JSON.stringify({ aux: { ID } })}\r\n${JSON.stringify({ stream: `Successfully built ${'0'.repeat(12)}\n` })}\r\n`;

/** One connection: requests one after the other; a body is either chunked or has a Content-Length. */
function serve(c: net.Socket): void {
  let buf: Buffer = Buffer.alloc(0);
  // 'head': reading headers; 'size': a chunk-size line; 'data': `left` bytes then CRLF; 'fixed': `left` body bytes.
  let state: 'head' | 'size' | 'data' | 'fixed' = 'head';
  let left = 0;
  let isPing = false;
  let isHead = false;
  const answer = () => {
    if (isPing) c.write(`HTTP/1.1 200 OK\r\nApi-Version: 1.45\r\nBuilder-Version: 1\r\nOstype: linux\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 2\r\n\r\n${isHead ? '' : 'OK'}`);
    else c.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(BODY)}\r\n\r\n${BODY}`);
    state = 'head';
  };
  c.on('data', (d: Buffer) => {
    buf = buf.length ? Buffer.concat([buf, d]) : d;
    for (;;) {
      if (state === 'head') {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString('latin1');
        buf = buf.subarray(end + 4);
        const first = head.split('\r\n', 1)[0]!;
        isHead = first.startsWith('HEAD ');
        isPing = first.includes('/_ping');
        const len = /\r\ncontent-length:\s*(\d+)/i.exec(head);
        if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) state = 'size';
        else if (len && Number(len[1]) > 0) {
          state = 'fixed';
          left = Number(len[1]);
        } else answer();
      } else if (state === 'size') {
        const eol = buf.indexOf('\r\n');
        if (eol < 0) return;
        const size = parseInt(buf.subarray(0, eol).toString('latin1'), 16);
        buf = buf.subarray(eol + 2);
        if (size === 0) {
          // The last chunk; no trailers from the docker CLI, just the final CRLF.
          if (buf.length < 2) {
            state = 'data';
            left = -2;
            return;
          }
          buf = buf.subarray(2);
          answer();
        } else {
          state = 'data';
          left = size + 2;
        }
      } else if (state === 'data') {
        if (left === -2) {
          if (buf.length < 2) return;
          buf = buf.subarray(2);
          answer();
          continue;
        }
        const n = Math.min(left, buf.length);
        buf = buf.subarray(n);
        left -= n;
        if (left > 0) return;
        state = 'size';
      } else {
        const n = Math.min(left, buf.length);
        buf = buf.subarray(n);
        left -= n;
        if (left > 0) return;
        answer();
      }
      if (!buf.length) return;
    }
  });
  c.on('error', () => {});
}

net.createServer(serve).listen(sock, () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => process.exit(0));
