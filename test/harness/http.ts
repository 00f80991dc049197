// A GET over plain TCP for the containers' busybox httpd (HTTP/1.0, no keep-alive): the body only.
// Tests aim it at 127.0.0.1 and at their own containers' addresses, nothing else.
import net from 'node:net';

export function httpGet(host: string, port: number, urlPath = '/hostname'): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, host, () => s.write(`GET ${urlPath} HTTP/1.0\r\n\r\n`));
    let data = '';
    s.setEncoding('latin1');
    s.on('data', (c: string) => (data += c));
    s.on('error', reject);
    s.on('close', () => resolve(data.slice(data.indexOf('\r\n\r\n') + 4)));
    s.setTimeout(10_000, () => s.destroy(new Error(`no answer from ${host}:${port} within 10 s`)));
  });
}

/** A TCP port on 127.0.0.1 nothing listens on now (the kernel's choice, then let go). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}
