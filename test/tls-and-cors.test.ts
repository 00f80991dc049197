// berthd on TCP, safely: mutual TLS with dockerd's flags (the real docker CLI with --tlsverify and
// with DOCKER_TLS_VERIFY/DOCKER_CERT_PATH), clients without a certificate refused, plain TCP off
// loopback refused at start, and --api-cors-header. Certificates are made here with openssl; all
// traffic is on 127.0.0.1.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { startDaemon, run, freePort, waitFor, BERTHD_BIN } from './harness/index.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-tls-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

async function openssl(args: string[]): Promise<void> {
  const r = await run('openssl', args, { cwd: dir });
  assert.equal(r.code, 0, `openssl ${args.join(' ')}: ${r.stderr}`);
}

// A CA, a server certificate for 127.0.0.1, a client certificate, and a client of another CA.
const subj = (cn: string) => ['-subj', `/CN=${cn}`];
await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '2', ...subj('berth test CA')]);
fs.writeFileSync(path.join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
fs.writeFileSync(path.join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
for (const [name, ext] of [['server', 'server.ext'], ['client', 'client.ext']] as const) {
  await openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}-key.pem`, '-out', `${name}.csr`, ...subj(name)]);
  await openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', `${name}-cert.pem`, '-days', '2', '-extfile', ext]);
}
// A client certificate of the right CA that expired yesterday (-days -1 puts notAfter before notBefore).
await openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'expired-key.pem', '-out', 'expired.csr', ...subj('expired')]);
await openssl(['x509', '-req', '-in', 'expired.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', 'expired-cert.pem', '-days', '-1', '-extfile', 'client.ext']);
await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'rogue-key.pem', '-out', 'rogue-cert.pem', '-days', '2', ...subj('rogue')]);
// DOCKER_CERT_PATH wants ca.pem, cert.pem, key.pem side by side.
const certPath = path.join(dir, 'client-dir');
fs.mkdirSync(certPath);
fs.copyFileSync(path.join(dir, 'ca.pem'), path.join(certPath, 'ca.pem'));
fs.copyFileSync(path.join(dir, 'client-cert.pem'), path.join(certPath, 'cert.pem'));
fs.copyFileSync(path.join(dir, 'client-key.pem'), path.join(certPath, 'key.pem'));

const port = await freePort();
const tcp = `tcp://127.0.0.1:${port}`;
const f = (n: string) => path.join(dir, n);
const d = await startDaemon({ after }, {
  args: ['-H', tcp, '--tlsverify', '--tlscacert', f('ca.pem'), '--tlscert', f('server-cert.pem'), '--tlskey', f('server-key.pem'), '--api-cors-header', 'http://dashboard.test'],
});
const berth = d.engine === 'berthd';
const tlsFlags = ['--tlsverify', '--tlscacert', f('ca.pem'), '--tlscert', f('client-cert.pem'), '--tlskey', f('client-key.pem'), '-H', tcp];

test('the docker CLI with --tlsverify runs the everyday workflow over mutual TLS', { skip: !berth && 'berthd flags' }, async () => {
  const v = await d.docker([...tlsFlags, 'version', '--format', '{{.Server.APIVersion}}']);
  assert.equal(v.code, 0, v.stderr);
  assert.equal(v.stdout.trim(), '1.45');
  const r = await d.docker([...tlsFlags, 'run', '--rm', 'busybox', 'sh', '-c', 'echo over tls; exit 3']);
  assert.equal(r.code, 3, r.stderr);
  assert.equal(r.stdout, 'over tls\n');
  // An interactive exec (a hijacked stream) over TLS.
  assert.equal((await d.docker([...tlsFlags, 'run', '-d', '--name', 'tlsbox', 'busybox', 'sleep', '300'])).code, 0);
  const ex = await d.docker([...tlsFlags, 'exec', '-i', 'tlsbox', 'tr', 'a-z', 'A-Z'], { input: 'secret\n' });
  assert.equal(ex.stdout, 'SECRET\n', ex.stderr);
  assert.equal((await d.docker([...tlsFlags, 'rm', '-f', 'tlsbox'])).code, 0);
});

test('DOCKER_TLS_VERIFY and DOCKER_CERT_PATH work unchanged', { skip: !berth && 'berthd flags' }, async () => {
  const r = await d.docker(['ps', '--format', '{{.ID}}'], { env: { DOCKER_HOST: tcp, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certPath } });
  assert.equal(r.code, 0, r.stderr);
});

test('clients without a valid certificate of the CA are refused: none, another CA\'s, an expired one, plain HTTP', { skip: !berth && 'berthd flags' }, async () => {
  const none = await d.docker(['--tls', '--tlscacert', f('ca.pem'), '-H', tcp, 'version', '--format', '{{.Server.APIVersion}}']);
  assert.notEqual(none.code, 0);
  assert.doesNotMatch(none.stdout, /1\.45/);
  const rogue = await d.docker(['--tlsverify', '--tlscacert', f('ca.pem'), '--tlscert', f('rogue-cert.pem'), '--tlskey', f('rogue-key.pem'), '-H', tcp, 'version', '--format', '{{.Server.APIVersion}}']);
  assert.notEqual(rogue.code, 0);
  assert.doesNotMatch(rogue.stdout, /1\.45/);
  const expired = await d.docker(['--tlsverify', '--tlscacert', f('ca.pem'), '--tlscert', f('expired-cert.pem'), '--tlskey', f('expired-key.pem'), '-H', tcp, 'version', '--format', '{{.Server.APIVersion}}']);
  assert.notEqual(expired.code, 0);
  assert.doesNotMatch(expired.stdout, /1\.45/);
  // The client is told why (dockerd's handshake alert shows as a bare EOF under TLS 1.3), and so is
  // berthd's log.
  // (The docker CLI may keep an expired certificate to itself; a client that sends it hears why.)
  assert.match(expired.stderr, /client certificate (required|refused: certificate has expired)/, expired.stderr);
  const direct = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port, path: '/_ping', ca: fs.readFileSync(f('ca.pem')), cert: fs.readFileSync(f('expired-cert.pem')), key: fs.readFileSync(f('expired-key.pem')) }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
  assert.equal(direct.status, 403);
  assert.match(JSON.parse(direct.body).message, /^client certificate refused: certificate has expired \(not after /);
  // Go clients send no certificate that the server's list of acceptable CAs does not cover.
  assert.match(rogue.stderr, /client certificate (required|refused: not signed by this daemon's CA)/, rogue.stderr);
  assert.match(none.stderr, /client certificate required/, none.stderr);
  await waitFor('the refusal logged', () => /TLS client 127\.0\.0\.1:\d+ on tcp:\S+ refused: client certificate refused: certificate has expired/.test(fs.readFileSync(d.logFile, 'utf8')));
  const plain = await d.docker(['-H', tcp, 'version', '--format', '{{.Server.APIVersion}}']);
  assert.notEqual(plain.code, 0);
  // The daemon took no harm: it still answers on its socket.
  assert.equal((await d.api('GET', '/_ping')).status, 200);
});

test('plain TCP on a non-loopback address is refused at start, with the way out named (--tlsverify, or --tls=false on purpose)', { skip: !berth && 'berthd flags' }, async () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-plain-'));
  after(() => fs.rmSync(base, { recursive: true, force: true }));
  const r = await run(process.execPath, [BERTHD_BIN, '-H', 'tcp://0.0.0.0:1', '--data-root', `${base}/data`, '--exec-root', `${base}/exec`, '--pidfile', `${base}/pid`], { timeout: 20_000 });
  assert.equal(r.code, 1);
  assert.match(r.stdout + r.stderr, /refusing to listen on tcp:\/\/0\.0\.0\.0:1 without TLS.*--tlsverify.*--tls=false/s);
  assert.equal(fs.existsSync(`${base}/data`), false, 'it did nothing else');
});

test('--api-cors-header: a preflight is answered and every answer carries the Access-Control headers', { skip: !berth && 'berthd flags' }, async () => {
  const pre = await d.api('OPTIONS', '/containers/json', { headers: { Origin: 'http://dashboard.test', 'Access-Control-Request-Method': 'GET' } });
  assert.equal(pre.status, 200);
  assert.equal(pre.headers['access-control-allow-origin'], 'http://dashboard.test');
  assert.match(String(pre.headers['access-control-allow-methods']), /GET.*POST.*DELETE/);
  const ping = await d.api('GET', '/_ping');
  assert.equal(ping.headers['access-control-allow-origin'], 'http://dashboard.test');
  assert.match(String(ping.headers['access-control-allow-headers']), /X-Registry-Auth/);
});

test('berth takes the same TLS flags and variables; without a certificate it is refused', { skip: !berth && 'berth CLI' }, async () => {
  const r = await d.berth([...tlsFlags, 'run', '--rm', 'busybox', 'echo', 'berth over tls']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'berth over tls\n');
  const env = await d.berth(['ps', '-q'], { env: { DOCKER_HOST: tcp, BERTH_HOST: undefined, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certPath } });
  assert.equal(env.code, 0, env.stderr);
  const none = await d.berth(['--tls', '--tlscacert', f('ca.pem'), '-H', tcp, 'ps']);
  assert.notEqual(none.code, 0);
});
