// The dashboard as served by `berthd --web`: the page and its files (xterm.js included, so it works
// offline), the Engine API on the same origin, the websocket terminal with resize, and the page
// itself driven in headless Chromium (Debian's, through playwright-core): screenshots of each view
// are kept in test/artifacts/.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { startDaemon, startRegistry, run, freePort, REPO } from './harness/index.js';

const CHROMIUM = '/usr/bin/chromium';

const port = await freePort();
const d = await startDaemon({ after }, { args: ['--web', `127.0.0.1:${port}`] });
const berth = d.engine === 'berthd';
const base = `http://127.0.0.1:${port}`;

test('the page, its script, style and xterm.js are served from the daemon; nothing else is', { skip: !berth && 'berth only' }, async () => {
  const page = await fetch(`${base}/dashboard/`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type') ?? '', /text\/html/);
  const html = await page.text();
  for (const f of ['xterm.js', 'addon-fit.js', 'app.js', 'xterm.css', 'app.css']) {
    assert.ok(html.includes(`"${f}"`), `${f} is referenced`);
    const r = await fetch(`${base}/dashboard/${f}`);
    assert.equal(r.status, 200, f);
    assert.ok((await r.arrayBuffer()).byteLength > 100, `${f} has content`);
  }
  assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/);
  assert.doesNotMatch(html, /https?:\/\//, 'no CDN or other origin');
  for (const bad of ['/dashboard/..%2Fpackage.json', '/dashboard/.hidden.js', '/dashboard/nope.js', '/dashboard/app.ts']) {
    assert.equal((await fetch(`${base}${bad}`)).status, 404, bad);
  }
  assert.equal((await fetch(`${base}/dashboard`, { redirect: 'manual' })).status, 302);
  // The page's API is the daemon's, on the same origin.
  const v = (await (await fetch(`${base}/version`)).json()) as { ApiVersion: string };
  assert.equal(v.ApiVersion, '1.45');
  // The script parses (a syntax error would leave a blank page).
  const check = await run(process.execPath, ['--check', new URL('../../web/app.js', import.meta.url).pathname]);
  assert.equal(check.code, 0, check.stderr);
});

test('the terminal: a shell over a websocket with the size asked for, resized by a control message, closed at exit', { skip: !berth && 'berth only' }, async () => {
  const id = (await d.docker(['run', '-d', 'busybox', 'sleep', '300'])).stdout.trim();
  const ws = new WebSocket(`ws://127.0.0.1:${port}/containers/${id}/exec/ws?cmd=/bin/sh&rows=30&cols=100`);
  let out = '';
  ws.on('message', (m: Buffer) => (out += m.toString()));
  const closed = new Promise<void>((r) => ws.once('close', () => r()));
  await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
  const until = async (re: RegExp) => {
    const end = Date.now() + 10_000;
    while (!re.test(out)) {
      if (Date.now() > end) throw new Error(`no ${re} in ${JSON.stringify(out)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  ws.send(Buffer.from('stty size; tty\n'));
  await until(/30 100\r?\n\/dev\/pts\/\d+/);
  ws.send(JSON.stringify({ resize: [40, 120] }));
  await new Promise((r) => setTimeout(r, 200));
  ws.send(Buffer.from('stty size\n'));
  await until(/40 120/);
  ws.send(Buffer.from('exit\n'));
  await closed;
  assert.equal((await d.docker(['rm', '-f', id])).code, 0);
  const missing = new WebSocket(`ws://127.0.0.1:${port}/containers/no-such/exec/ws`);
  await assert.rejects(new Promise((r, j) => (missing.once('open', r), missing.once('error', j))), /404/);
});

test('in headless Chromium: the page lists a running container, its terminal computes and follows a resize, the page stops it and pulls an image', { skip: (!berth && 'berth only') || (!fs.existsSync(CHROMIUM) && `${CHROMIUM} missing (npm run setup installs it)`) }, async (t) => {
  const shots = path.join(REPO, 'test', 'artifacts');
  fs.mkdirSync(shots, { recursive: true });
  const browser = await launchChromium(t, { width: 1100, height: 760 });
  assert.equal((await d.docker(['run', '-d', '--name', 'ui-box', 'busybox', 'sleep', '300'])).code, 0);
  const page = browser.pages()[0] ?? (await browser.newPage());
  await page.goto(`${base}/dashboard/`);
  const row = page.locator('#containers tbody tr', { hasText: 'ui-box' });
  await row.locator('td.state-running').waitFor({ timeout: 15_000 });
  await page.screenshot({ path: path.join(shots, 'dashboard-containers.png') });

  // The terminal: a real shell, typed into.
  await row.getByRole('button', { name: 'Terminal' }).click();
  const screen = page.locator('#terminal .xterm-rows');
  await screen.waitFor({ timeout: 15_000 });
  await page.locator('#terminal').click();
  await page.keyboard.type('echo $((6*7))\n');
  await waitText(screen, /^42$/m);
  await page.keyboard.type('stty size\n');
  const before = await waitText(screen, /^(\d+) (\d+)$/m);
  await page.screenshot({ path: path.join(shots, 'dashboard-terminal.png') });
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.waitForTimeout(300);
  await page.keyboard.type('clear; stty size\n');
  const after = await waitText(screen, /^(\d+) (\d+)$/m, (m) => m[0] !== before[0]);
  assert.ok(Number(after[2]) > Number(before[2]), `the terminal widened with the window: ${before[0]} -> ${after[0]}`);

  // Stop it from the page; the list follows.
  await page.getByRole('button', { name: 'Close' }).click();
  await row.getByRole('button', { name: 'Stop' }).click();
  await row.locator('td.state-exited').waitFor({ timeout: 20_000 });
  assert.equal((await d.docker(['inspect', '-f', '{{.State.Status}}', 'ui-box'])).stdout.trim(), 'exited');
  // Pull from the page: an image pushed to a real berth-registry on loopback, then removed here.
  const reg = await startRegistry(t);
  const ref = `${reg.host}/dash/pulled:1`;
  assert.equal((await d.docker(['tag', 'busybox', ref])).code, 0);
  const push = await d.docker(['push', ref]);
  assert.equal(push.code, 0, push.stderr);
  assert.equal((await d.docker(['rmi', ref])).code, 0);
  await page.getByRole('button', { name: 'Images', exact: true }).click();
  await page.locator('#pull input[name=ref]').fill(ref);
  await page.locator('#pull button').click();
  await page.locator('#pull-progress', { hasText: `Status: Downloaded newer image for ${ref}` }).waitFor({ timeout: 30_000 });
  await page.locator('#images tbody tr', { hasText: ref }).waitFor({ timeout: 15_000 });
  assert.equal((await d.docker(['image', 'inspect', '-f', '{{index .RepoDigests 0}}', ref])).code, 0);
  await page.screenshot({ path: path.join(shots, 'dashboard-pull.png') });
  // A name the registry does not have: the page says so.
  await page.locator('#pull input[name=ref]').fill(`${reg.host}/dash/nosuch:1`);
  await page.locator('#pull button').click();
  await page.locator('#error', { hasText: /manifest unknown|not found/ }).waitFor({ timeout: 15_000 });
  for (const tab of ['Images', 'Volumes', 'Networks', 'Events']) {
    await page.getByRole('button', { name: tab, exact: true }).click();
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(shots, `dashboard-${tab.toLowerCase()}.png`) });
  }
  assert.match(await page.locator('#event-log').innerText(), /container (stop|die) ui-box/);
  assert.equal((await d.docker(['rm', '-f', 'ui-box'])).code, 0);
});

/** Polls an element's text until `re` matches (and `accept` agrees); the match. */
async function waitText(loc: import('playwright-core').Locator, re: RegExp, accept: (m: RegExpMatchArray) => boolean = () => true): Promise<RegExpMatchArray> {
  const end = Date.now() + 15_000;
  let last = '';
  for (;;) {
    last = (await loc.innerText()).replace(/\u00a0/g, ' ');
    const all = [...last.matchAll(new RegExp(re.source, re.flags.includes('g') ? re.flags : re.flags + 'g'))];
    const hit = all.reverse().find(accept);
    if (hit) return hit;
    if (Date.now() > end) throw new Error(`no ${re} on the terminal screen:\n${last}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('in headless Chromium: a page on another origin reaches the API only when --api-cors-header names that origin', { skip: (!berth && 'berth only') || (!fs.existsSync(CHROMIUM) && `${CHROMIUM} missing`) }, async (t) => {
  const http = await import('node:http');
  // The other origin: a page on another port of 127.0.0.1 that calls the daemon's API.
  const other = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end('<!doctype html><title>other</title><p id="r">pending</p>');
  });
  const otherPort = await new Promise<number>((r) => other.listen(0, '127.0.0.1', () => r((other.address() as net.AddressInfo).port)));
  t.after(() => other.close());
  const origin = `http://127.0.0.1:${otherPort}`;
  const allowingPort = await freePort();
  const allowing = await startDaemon(t, { args: ['--web', `127.0.0.1:${allowingPort}`, '--api-cors-header', origin] });
  void allowing;
  const browser = await launchChromium(t);
  const page = browser.pages()[0] ?? (await browser.newPage());
  await page.goto(`${origin}/`);
  const call = (url: string) =>
    page.evaluate(async (u) => {
      try {
        const r = await fetch(u, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
        return `status ${r.status}`;
      } catch (e) {
        return `blocked: ${(e as Error).message}`;
      }
    }, url);
  // A POST with a JSON body needs a preflight: the daemon without the header lets the browser refuse it.
  assert.match(await call(`${base}/containers/prune`), /^blocked/);
  assert.equal(await call(`http://127.0.0.1:${allowingPort}/containers/prune`), 'status 200');
});

/**
 * Headless Chromium on a profile of its own, closed and its profile removed after the test. One
 * after-hook does both, in that order: node:test runs after-hooks in the order they were added, and
 * removing the profile under a running Chromium raced its writes (ENOTEMPTY); the browser was then
 * never closed and held the test file open until its timeout.
 */
async function launchChromium(t: { after(fn: () => Promise<void>): void }, viewport?: { width: number; height: number }) {
  const { chromium } = await import('playwright-core');
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-chromium-'));
  let browser: Awaited<ReturnType<typeof chromium.launchPersistentContext>> | undefined;
  t.after(async () => {
    await browser?.close().catch(() => {});
    fs.rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  });
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    ...(viewport ? { viewport } : {}),
    // Nothing but 127.0.0.1: no background traffic of Chromium's own.
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return browser;
}
