// The dashboard off loopback: `berthd --web ADDR --tls` on an address other hosts could reach (here the
// gateway address of the test's own bridge, which only this machine routes to) answers only requests
// carrying the login token berthd printed at start; with --tlsverify the client certificate is the login
// instead. Without the token: the login form for the page, a 401 for the API and for websockets; a wrong
// token refused the same way; the daemon keeps serving. Certificates are made here with openssl.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import https from 'node:https';
import WebSocket from 'ws';
import { TestDaemon, run, freePort, waitFor } from './harness/index.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-web-login-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const f = (n: string) => path.join(dir, n);

async function openssl(args: string[]): Promise<void> {
  const r = await run('openssl', args, { cwd: dir });
  assert.equal(r.code, 0, `openssl ${args.join(' ')}: ${r.stderr}`);
}

const port = await freePort();
// The daemon listens on the gateway address of its own bridge, known once its slot is taken; the flags
// are filled in before it starts (and changed for the --tlsverify case, on the same roots).
const daemonArgs: string[] = [];
const d = new TestDaemon({ args: daemonArgs });
after(() => d.cleanup());
const berth = d.engine === 'berthd';
const gw = d.bip.split('/')[0]!;
if (berth) {
  const subj = (cn: string) => ['-subj', `/CN=${cn}`];
  await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '2', ...subj('berth test CA')]);
  fs.writeFileSync(f('server.ext'), `subjectAltName=IP:${gw},IP:127.0.0.1\nextendedKeyUsage=serverAuth\n`);
  fs.writeFileSync(f('client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const [name, ext] of [['server', 'server.ext'], ['client', 'client.ext']] as const) {
    await openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}-key.pem`, '-out', `${name}.csr`, ...subj(name)]);
    await openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', `${name}-cert.pem`, '-days', '2', '-extfile', ext]);
  }
  daemonArgs.push('--web', `${gw}:${port}`, '--tls', '--tlscert', f('server-cert.pem'), '--tlskey', f('server-key.pem'));
  await d.start();
  await d.importBusybox();
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(p: string, headers: Record<string, string> = {}, client?: { cert: Buffer; key: Buffer }, to = `${gw}:${port}`): Promise<Answer> {
  const [host, portText] = [to.slice(0, to.lastIndexOf(':')), to.slice(to.lastIndexOf(':') + 1)];
  return new Promise((resolve, reject) => {
    const req = https.request({ host, port: Number(portText), path: p, method: 'GET', headers, ca: fs.readFileSync(f('ca.pem')), ...client, timeout: 20_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

function tokenFromLog(daemon: TestDaemon): string {
  const m = /log in with the token (\S+), also in (\S+);/.exec(fs.readFileSync(daemon.logFile, 'utf8'));
  assert.ok(m, 'berthd printed the dashboard login token at start');
  assert.equal(fs.readFileSync(m[2]!, 'utf8').trim(), m[1], 'the token file holds the printed token');
  assert.equal(fs.statSync(m[2]!).mode & 0o777, 0o600, 'only root reads the token file');
  return m[1]!;
}

test('off loopback the dashboard and the API need the token: the form, a 401, a wrong token refused', { skip: !berth && 'berthd --web' }, async () => {
  const token = tokenFromLog(d!);
  const page = await get('/dashboard/');
  assert.equal(page.status, 401);
  assert.match(String(page.headers['content-type']), /text\/html/);
  assert.match(page.body, /<form method="get" action="\/dashboard\/">/);
  const api = await get('/containers/json');
  assert.equal(api.status, 401);
  assert.match(JSON.parse(api.body).message, /needs the dashboard login token/);
  // Another first character, whatever the random token starts with (a fixed 'x' was the token itself
  // one time in 64).
  const wrongToken = (token[0] === 'x' ? 'y' : 'x') + token.slice(1);
  const wrong = await get('/containers/json', { Authorization: `Bearer ${wrongToken}` });
  assert.equal(wrong.status, 401);
  assert.equal(JSON.parse(wrong.body).message, 'wrong dashboard login token');
  const wrongPage = await get('/dashboard/?token=nope');
  assert.equal(wrongPage.status, 401);
  assert.match(wrongPage.body, /That token is wrong/);
  // The same daemon on its unix socket is not affected.
  assert.equal((await d.api('GET', '/_ping')).status, 200);
});

test('the token logs in: ?token= becomes a cookie (HttpOnly, Secure, SameSite) and the page and API answer', { skip: !berth && 'berthd --web' }, async () => {
  const token = tokenFromLog(d!);
  const login = await get(`/dashboard/?token=${token}`);
  assert.equal(login.status, 303);
  assert.equal(login.headers.location, '/dashboard/');
  const setCookie = String(login.headers['set-cookie']);
  assert.match(setCookie, /^berth_dashboard_token=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Secure$/);
  const cookie = setCookie.split(';')[0]!;
  const page = await get('/dashboard/', { Cookie: cookie });
  assert.equal(page.status, 200);
  assert.match(page.body, /<title>/);
  const ps = await get('/v1.45/containers/json?all=1', { Cookie: `other=1; ${cookie}` });
  assert.equal(ps.status, 200, ps.body);
  assert.ok(Array.isArray(JSON.parse(ps.body)));
  const bearer = await get('/_ping', { Authorization: `Bearer ${token}` });
  assert.equal(bearer.status, 200);
  assert.equal(bearer.body, 'OK');
});

test('the terminal\'s websocket needs the token too', { skip: !berth && 'berthd --web' }, async () => {
  const token = tokenFromLog(d!);
  assert.equal((await d.docker(['run', '-d', '--name', 'webbox', 'busybox', 'sleep', '300'])).code, 0);
  after(() => d.docker(['rm', '-f', 'webbox']));
  const url = `wss://${gw}:${port}/containers/webbox/exec/ws?cmd=sh&rows=24&cols=80`;
  const ca = fs.readFileSync(f('ca.pem'));
  const refused = await new Promise<number>((resolve, reject) => {
    const ws = new WebSocket(url, { ca });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => reject(new Error('a websocket without the token was accepted')));
    ws.on('error', () => {});
  });
  assert.equal(refused, 401);
  const out = await new Promise<string>((resolve, reject) => {
    const ws = new WebSocket(url, { ca, headers: { Cookie: `berth_dashboard_token=${token}` } });
    let text = '';
    ws.on('open', () => ws.send(Buffer.from('echo $((6*7))\nexit\n')));
    ws.on('message', (m: Buffer) => (text += m.toString()));
    ws.on('close', () => resolve(text));
    ws.on('error', reject);
  });
  assert.match(out, /42/);
});

test('with --tlsverify the client certificate is the login: no token, none printed', { skip: !berth && 'berthd --web' }, async () => {
  const port2 = await freePort();
  // Same daemon, same roots, restarted with mutual TLS on the web listener.
  await d.stop();
  daemonArgs.splice(0, daemonArgs.length, '--web', `${gw}:${port2}`, '--tlsverify', '--tlscacert', f('ca.pem'), '--tlscert', f('server-cert.pem'), '--tlskey', f('server-key.pem'));
  fs.truncateSync(d.logFile);
  await d.start();
  const v = d;
  // The unix socket answers first; the web listener opens a moment later.
  const client = { cert: fs.readFileSync(f('client-cert.pem')), key: fs.readFileSync(f('client-key.pem')) };
  const page = await waitFor('the web listener', () => get('/dashboard/', {}, client, `${gw}:${port2}`).catch(() => undefined));
  assert.equal(page.status, 200);
  assert.doesNotMatch(fs.readFileSync(v.logFile, 'utf8'), /log in with the token/);
  assert.equal(fs.existsSync(path.join(v.execRoot, 'dashboard-token')), false);
  const none = await get('/dashboard/', {}, undefined, `${gw}:${port2}`);
  assert.equal(none.status, 403, 'a client without a certificate is refused');
  assert.match(JSON.parse(none.body).message, /^client certificate required/);
});
