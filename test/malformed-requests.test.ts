// Bad requests at the door: wrong JSON types in create and exec bodies, bodies cut short, malformed
// JSON, huge headers, a body on GET. Each is a 4xx with Docker's {"message"} shape (the type errors in
// Go's decoder words, naming the field), never a 500; nothing is stored; the daemon keeps serving.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startDaemon, type ApiResponse } from './harness/index.js';

const d = await startDaemon({ after });
const onReference = (why: string) => (d.engine === 'dockerd' ? `dockerd 20.10 differs: ${why}` : false);

function assert4xx(r: ApiResponse, what: string, message?: RegExp): void {
  assert.ok(r.status >= 400 && r.status < 500, `${what}: expected a 4xx, got ${r.status}: ${r.text}`);
  const body = r.json<{ message: string }>();
  assert.equal(typeof body.message, 'string', `${what}: {"message"} body`);
  if (message) assert.match(body.message, message, what);
}

/** Writes `request` as is (half-closing after it when asked) and returns all the daemon answered, within 5 s. */
function rawExchange(request: string, halfClose: boolean): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(d.socket);
    let got = '';
    s.on('data', (c) => (got += c));
    s.on('error', () => resolve(got));
    s.on('close', () => resolve(got));
    s.write(request);
    if (halfClose) s.end();
    setTimeout(() => s.destroy(), 5000).unref();
  });
}

async function containerCount(): Promise<number> {
  return (await d.api('GET', '/containers/json?all=1')).json().length;
}

const CREATE_CASES: [string, unknown, RegExp][] = [
  ['HostConfig.CpuShares 1.5', { HostConfig: { CpuShares: 1.5 } }, /HostConfig\.CpuShares/],
  ['HostConfig.Ulimits Name 5', { HostConfig: { Ulimits: [{ Name: 5 }] } }, /Ulimits\.Name/],
  ['HostConfig.Ulimits [null]', { HostConfig: { Ulimits: [null] } }, /Ulimits/],
  ['Healthcheck.Test "x"', { Healthcheck: { Test: 'x' } }, /Healthcheck\.Test/],
  ['Healthcheck.Interval "1s"', { Healthcheck: { Test: ['CMD', 'true'], Interval: '1s' } }, /Healthcheck\.Interval/],
  ['HostConfig.Memory -5', { HostConfig: { Memory: -5 } }, /Minimum memory limit allowed is 6MB/],
  ['HostConfig.PortBindings "x"', { HostConfig: { PortBindings: 'x' } }, /HostConfig\.PortBindings of type nat\.PortMap/],
  ['HostConfig.PortBindings entry HostPort 80', { HostConfig: { PortBindings: { '80/tcp': [{ HostPort: 80 }] } } }, /PortBindings/],
  ['HostConfig.Mounts Source 5', { HostConfig: { Mounts: [{ Type: 'volume', Source: 5, Target: '/x' }] } }, /Mounts\.Source/],
  ['HostConfig.Mounts [null]', { HostConfig: { Mounts: [null] } }, /Mounts/],
  ['HostConfig.Binds [5]', { HostConfig: { Binds: [5] } }, /Binds/],
  ['HostConfig.RestartPolicy "always"', { HostConfig: { RestartPolicy: 'always' } }, /RestartPolicy/],
  ['HostConfig.LogConfig.Config value 5', { HostConfig: { LogConfig: { Type: 'json-file', Config: { 'max-size': 5 } } } }, /LogConfig\.Config/],
  ['HostConfig.Privileged "yes"', { HostConfig: { Privileged: 'yes' } }, /Privileged/],
  ['HostConfig.Dns "8.8.8.8"', { HostConfig: { Dns: '127.0.0.1' } }, /Dns/],
  ['HostConfig "x"', { HostConfig: 'x' }, /HostConfig/],
  ['Env 5', { Env: 5 }, /Env/],
  ['Env [1]', { Env: [1] }, /Env/],
  ['Cmd 5', { Cmd: 5 }, /Cmd/],
  ['Labels value 5', { Labels: { a: 5 } }, /Labels/],
  ['Tty "true"', { Tty: 'true' }, /Tty/],
  ['StopTimeout "10"', { StopTimeout: '10' }, /StopTimeout/],
  ['NetworkingConfig.EndpointsConfig "x"', { NetworkingConfig: { EndpointsConfig: 'x' } }, /EndpointsConfig/],
  ['ExposedPorts []', { ExposedPorts: [] }, /ExposedPorts/],
];

test(`create: ${CREATE_CASES.length} wrong-type bodies are each a 400 naming the field; nothing is stored`, async () => {
  const before = await containerCount();
  for (const [what, extra, message] of CREATE_CASES) {
    const r = await d.api('POST', '/containers/create', { body: { Image: 'busybox', Cmd: ['true'], ...(extra as object) } });
    assert4xx(r, what, message);
    assert.equal(r.status, 400, `${what}: ${r.text}`);
  }
  assert.equal(await containerCount(), before, 'no container was stored');
});

test('create: not an object, malformed JSON, a body cut short: 400, nothing stored', { skip: onReference('20.10 answers 500 for malformed JSON') }, async () => {
  const before = await containerCount();
  for (const [what, raw] of [['array', '[]'], ['string', '"x"'], ['malformed', '{"Image": "busybox",'], ['garbage', '{{{']] as const) {
    const r = await d.api('POST', '/containers/create', { body: raw, headers: { 'Content-Type': 'application/json' } });
    assert4xx(r, what);
  }
  // Content-Length promises more than is sent, then the client half-closes.
  const cut = await rawExchange('POST /containers/create HTTP/1.1\r\nHost: berth\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"Image":"busy', true);
  assert.doesNotMatch(cut, /HTTP\/1\.1 5\d\d/, 'a body cut short is never a 500');
  assert.equal(await containerCount(), before);
});

test('exec create: Env 5, User 5, WorkingDir 5, Tty "x", Cmd [1] are 400s; no exec is made', async () => {
  assert.equal((await d.docker(['run', '-d', '--name', 'target', 'busybox', 'sleep', '300'])).code, 0);
  for (const [what, extra] of [['Env', { Env: 5 }], ['User', { User: 5 }], ['WorkingDir', { WorkingDir: 5 }], ['Tty', { Tty: 'x' }], ['Cmd', { Cmd: [1] }]] as const) {
    const r = await d.api('POST', '/containers/target/exec', { body: { Cmd: ['true'], ...extra } });
    assert4xx(r, what, new RegExp(what));
  }
  const ins = (await d.api('GET', '/containers/target/json')).json();
  assert.ok(ins.ExecIDs === null || ins.ExecIDs.length === 0, JSON.stringify(ins.ExecIDs));
  const good = await d.api('POST', '/containers/target/exec', { body: { Cmd: ['true'] } });
  assert.equal(good.status, 201);
  const start = await d.api('POST', `/exec/${good.json().Id}/start`, { body: { Detach: 'yes' } });
  assert4xx(start, 'exec start Detach "yes"', /Detach/);
});

test('huge headers get 431, a body on GET is ignored; the daemon keeps serving and existing containers inspect', async () => {
  const huge = await rawExchange(`GET /_ping HTTP/1.1\r\nHost: berth\r\nX-Big: ${'a'.repeat(200_000)}\r\n\r\n`, false);
  assert.match(huge, /^HTTP\/1\.1 431/);
  const get = await d.api('GET', '/containers/json?all=1', { body: '{"ignored": true}', headers: { 'Content-Type': 'application/json' } });
  assert.equal(get.status, 200);
  assert.equal((await d.api('GET', '/_ping')).text, 'OK');
  assert.equal((await d.api('GET', '/containers/target/json')).status, 200);
  assert.equal((await d.docker(['rm', '-f', 'target'])).code, 0);
});

test('a stored record that cannot be read (corrupt, or badly typed) is skipped at start-up and kept; ps, inspect and the daemon go on', { skip: d.engine === 'dockerd' ? 'berth\'s record format' : false }, async () => {
  const fsm = await import('node:fs');
  const pathm = await import('node:path');
  assert.equal((await d.docker(['create', '--name', 'corrupt-me', 'busybox', 'true'])).code, 0);
  assert.equal((await d.docker(['create', '--name', 'mistyped', 'busybox', 'true'])).code, 0);
  assert.equal((await d.docker(['create', '--name', 'healthy', 'busybox', 'true'])).code, 0);
  const idOf = async (n: string) => (await d.api('GET', `/containers/${n}/json`)).json().Id as string;
  const corrupt = await idOf('corrupt-me');
  const mistyped = await idOf('mistyped');
  await d.stop();
  const rec = (id: string) => pathm.join(d.dataRoot, 'containers', id, 'config.json');
  fsm.writeFileSync(rec(corrupt), '{"id": "' + corrupt + '", "name": "corrupt-me", "conf');
  const m = JSON.parse(fsm.readFileSync(rec(mistyped), 'utf8'));
  m.hostConfig.Ulimits = [{ Name: 5 }];
  fsm.writeFileSync(rec(mistyped), JSON.stringify(m));
  await d.start();
  const ps = await d.docker(['ps', '-a', '--format', '{{.Names}}']);
  assert.equal(ps.code, 0, ps.stderr);
  assert.match(ps.stdout, /^healthy$/m);
  assert.doesNotMatch(ps.stdout, /corrupt-me|mistyped/);
  assert.equal((await d.api('GET', '/containers/healthy/json')).status, 200);
  assert.equal((await d.api('GET', '/containers/json?all=1')).status, 200);
  // Kept on disk for a person to look at, and the log says which and why.
  assert.ok(fsm.existsSync(rec(corrupt)) && fsm.existsSync(rec(mistyped)));
  assert.match(d.logTail(200), new RegExp(`container ${mistyped} is skipped: its record cannot be read .*Ulimits\\.Name`));
  assert.equal((await d.docker(['rm', 'healthy'])).code, 0);
});

test('unknown query values: 400 where Docker refuses them, Docker\'s reading where it does not', async () => {
  const cases: [string, string, number, RegExp | null][] = [
    ['GET', '/containers/json?filters=notjson', 400, /invalid filter/],
    ['GET', '/containers/json?limit=x', 400, /limit/],
    ['POST', '/containers/nope/stop?t=abc', 400, /\bt\b/],
    ['GET', '/images/json?filters=%7B%22bogus%22%3A%5B%22x%22%5D%7D', 400, /bogus/],
    ['GET', '/events?since=notatime&until=1', 400, /timestamp/],
    // Docker's BoolValue: anything but "", 0, no, false, none is true.
    ['GET', '/containers/json?all=banana', 200, null],
  ];
  for (const [method, url, status, message] of cases) {
    const r = await d.api(method, url);
    assert.equal(r.status, status, `${method} ${url}: ${r.text}`);
    if (message) assert.match(r.json().message, message, url);
  }
  assert.equal((await d.api('GET', '/_ping')).text, 'OK');
});
