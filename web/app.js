// berth's dashboard: a plain script (no framework, no build step beyond a copy) that uses the Engine
// API of the daemon that served it, as any client would, plus berth's websocket terminal
// (/containers/{id}/exec/ws). Served with xterm.js from the same origin, so it works offline.
'use strict';

const $ = (sel, root = document) => root.querySelector(sel);
const el = (tag, attrs = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const k of kids) e.append(k instanceof Node ? k : document.createTextNode(String(k)));
  return e;
};

function showError(e) {
  $('#error').textContent = e ? String(e.message || e) : '';
}

async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status >= 400) {
    const text = await res.text();
    let msg = text;
    try {
      msg = JSON.parse(text).message;
    } catch {}
    throw new Error(msg || `${method} ${path}: ${res.status}`);
  }
  const type = res.headers.get('content-type') || '';
  return type.includes('json') ? res.json() : res.text();
}

const act = (fn) => async () => {
  showError('');
  try {
    await fn();
    await refresh();
  } catch (e) {
    showError(e);
  }
};

const size = (n) => (n >= 1e9 ? `${(n / 1e9).toFixed(2)}GB` : n >= 1e6 ? `${(n / 1e6).toFixed(1)}MB` : `${Math.round(n / 1e3)}kB`);
const ports = (ps) => (ps || []).map((p) => (p.PublicPort ? `${p.IP}:${p.PublicPort}->${p.PrivatePort}/${p.Type}` : `${p.PrivatePort}/${p.Type}`)).join(', ');

// ------------------------------------------------------------------ lists

async function renderContainers() {
  const list = await api('GET', '/containers/json?all=1');
  const body = $('#containers tbody');
  body.replaceChildren(
    ...list.map((c) => {
      const name = c.Names[0].slice(1);
      const running = c.State === 'running';
      return el(
        'tr',
        {},
        el('td', {}, name),
        el('td', {}, c.Image),
        el('td', { class: `state-${c.State}` }, c.State),
        el('td', {}, c.Status),
        el('td', {}, ports(c.Ports)),
        el(
          'td',
          {},
          running
            ? el('button', { onclick: act(() => api('POST', `/containers/${c.Id}/stop?t=5`)) }, 'Stop')
            : el('button', { onclick: act(() => api('POST', `/containers/${c.Id}/start`)) }, 'Start'),
          el('button', { onclick: act(() => api('POST', `/containers/${c.Id}/restart?t=5`)) }, 'Restart'),
          el('button', { onclick: act(() => api('DELETE', `/containers/${c.Id}?force=1`)) }, 'Remove'),
          el('button', { onclick: () => openLogs(c.Id, name) }, 'Logs'),
          running ? el('button', { onclick: () => openTerminal(c.Id, name) }, 'Terminal') : '',
        ),
      );
    }),
  );
}

async function renderImages() {
  const list = await api('GET', '/images/json');
  $('#images tbody').replaceChildren(
    ...list.map((i) =>
      el(
        'tr',
        {},
        el('td', {}, (i.RepoTags || ['<none>']).join(', ')),
        el('td', {}, i.Id.replace('sha256:', '').slice(0, 12)),
        el('td', {}, size(i.Size)),
        el('td', {}, new Date(i.Created * 1000).toLocaleString()),
        el(
          'td',
          {},
          el('button', { onclick: () => showHistory(i.Id) }, 'History'),
          el('button', { onclick: act(() => api('DELETE', `/images/${encodeURIComponent(i.Id)}`)) }, 'Remove'),
        ),
      ),
    ),
  );
}

/** "name", "name:tag" or "name@sha256:…" into the query the docker CLI sends (tag carries a digest too). */
function pullQuery(ref) {
  const at = ref.indexOf('@');
  let name = ref;
  let tag = '';
  if (at >= 0) [name, tag] = [ref.slice(0, at), ref.slice(at + 1)];
  else {
    const colon = ref.lastIndexOf(':');
    if (colon > ref.lastIndexOf('/')) [name, tag] = [ref.slice(0, colon), ref.slice(colon + 1)];
  }
  return `fromImage=${encodeURIComponent(name)}&tag=${encodeURIComponent(tag || 'latest')}`;
}

/** POST /images/create, drawing Docker's progress messages: one line per layer, updated in place. */
async function pullImage(ref) {
  const out = $('#pull-progress');
  const lines = new Map();
  const draw = () => (out.textContent = [...lines.values()].join('\n'));
  const res = await fetch(`/images/create?${pullQuery(ref)}`, { method: 'POST' });
  if (!res.ok) {
    const text = await res.text();
    let msg = text;
    try {
      msg = JSON.parse(text).message;
    } catch {}
    throw new Error(msg || `pull: ${res.status}`);
  }
  const reader = res.body.getReader();
  const dec = new TextDecoder();
  let rest = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    rest += dec.decode(value, { stream: true });
    let nl;
    while ((nl = rest.indexOf('\n')) >= 0) {
      const line = rest.slice(0, nl).trim();
      rest = rest.slice(nl + 1);
      if (!line) continue;
      const m = JSON.parse(line);
      if (m.error) throw new Error(m.error);
      const key = m.id ? `id:${m.id}` : `line:${lines.size}`;
      lines.set(key, `${m.id ? `${m.id}: ` : ''}${m.status || ''}${m.progress ? ` ${m.progress}` : ''}`);
      draw();
    }
  }
}

async function showHistory(id) {
  const h = await api('GET', `/images/${encodeURIComponent(id)}/history`);
  $('#history').textContent = h.map((x) => `${size(x.Size).padStart(8)}  ${x.CreatedBy}`).join('\n');
}

async function renderVolumes() {
  const list = (await api('GET', '/volumes')).Volumes || [];
  $('#volumes tbody').replaceChildren(
    ...list.map((v) => el('tr', {}, el('td', {}, v.Name), el('td', {}, v.Driver), el('td', {}, v.Mountpoint), el('td', {}, el('button', { onclick: act(() => api('DELETE', `/volumes/${encodeURIComponent(v.Name)}`)) }, 'Remove')))),
  );
}

async function renderNetworks() {
  const list = await api('GET', '/networks');
  $('#networks tbody').replaceChildren(
    ...list.map((n) =>
      el(
        'tr',
        {},
        el('td', {}, n.Name),
        el('td', {}, n.Driver),
        el('td', {}, (n.IPAM.Config || []).map((c) => c.Subnet).join(', ')),
        el('td', {}, ''),
        el('td', {}, ['bridge', 'host', 'none'].includes(n.Name) ? '' : el('button', { onclick: act(() => api('DELETE', `/networks/${n.Id}`)) }, 'Remove')),
      ),
    ),
  );
}

let tab = 'containers';
async function refresh() {
  try {
    if (tab === 'containers') await renderContainers();
    else if (tab === 'images') await renderImages();
    else if (tab === 'volumes') await renderVolumes();
    else if (tab === 'networks') await renderNetworks();
  } catch (e) {
    showError(e);
  }
}

$('#pull').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const ref = new FormData(ev.target).get('ref').trim();
  $('#pull-progress').textContent = '';
  void act(() => pullImage(ref))();
});

// ------------------------------------------------------------------ streams

/** Reads a streaming response, calling `onChunk` with each piece of bytes until it ends or is aborted. */
async function stream(path, signal, onChunk) {
  const res = await fetch(path, { signal });
  if (!res.ok) throw new Error(`${path}: ${res.status}`);
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    onChunk(value, res.headers.get('content-type') || '');
  }
}

/** Docker's multiplexed stream (8-byte headers) unless the container has a tty (raw). */
function demuxer(onText) {
  let buf = new Uint8Array(0);
  const dec = new TextDecoder();
  return (chunk, type) => {
    if (!type.includes('multiplexed')) return onText(dec.decode(chunk, { stream: true }));
    const joined = new Uint8Array(buf.length + chunk.length);
    joined.set(buf);
    joined.set(chunk, buf.length);
    let i = 0;
    while (i + 8 <= joined.length) {
      const len = (joined[i + 4] << 24) | (joined[i + 5] << 16) | (joined[i + 6] << 8) | joined[i + 7];
      if (i + 8 + len > joined.length) break;
      onText(dec.decode(joined.subarray(i + 8, i + 8 + len)));
      i += 8 + len;
    }
    buf = joined.slice(i);
  };
}

let closePanel = () => {};

function openPanel(title) {
  closePanel();
  $('#panel').hidden = false;
  $('#panel-title').textContent = title;
  $('#logs').textContent = '';
  $('#logs').hidden = true;
  $('#terminal').replaceChildren();
  $('#terminal').hidden = true;
}

function openLogs(id, name) {
  openPanel(`logs: ${name}`);
  const pre = $('#logs');
  pre.hidden = false;
  const ac = new AbortController();
  closePanel = () => ac.abort();
  stream(`/containers/${id}/logs?follow=1&stdout=1&stderr=1&tail=500`, ac.signal, demuxer((t) => {
    pre.textContent += t;
    pre.scrollTop = pre.scrollHeight;
  })).catch((e) => ac.signal.aborted || showError(e));
}

function openTerminal(id, name) {
  openPanel(`terminal: ${name}`);
  const box = $('#terminal');
  box.hidden = false;
  const term = new Terminal({ cursorBlink: true, convertEol: false, fontSize: 13 });
  const fit = new FitAddon.FitAddon();
  term.loadAddon(fit);
  term.open(box);
  fit.fit();
  const proto = location.protocol === 'https:' ? 'wss' : 'ws';
  const ws = new WebSocket(`${proto}://${location.host}/containers/${id}/exec/ws?cmd=/bin/sh&rows=${term.rows}&cols=${term.cols}`);
  ws.binaryType = 'arraybuffer';
  const enc = new TextEncoder();
  ws.onmessage = (m) => term.write(new Uint8Array(m.data));
  ws.onclose = () => term.write('\r\n[session ended]\r\n');
  term.onData((d) => ws.readyState === WebSocket.OPEN && ws.send(enc.encode(d)));
  term.onResize(({ rows, cols }) => ws.readyState === WebSocket.OPEN && ws.send(JSON.stringify({ resize: [rows, cols] })));
  const onWindow = () => fit.fit();
  window.addEventListener('resize', onWindow);
  term.focus();
  closePanel = () => {
    window.removeEventListener('resize', onWindow);
    ws.close();
    term.dispose();
  };
}

function followEvents() {
  const pre = $('#event-log');
  let pending = '';
  stream('/events', undefined, (chunk) => {
    pending += new TextDecoder().decode(chunk);
    const lines = pending.split('\n');
    pending = lines.pop();
    for (const line of lines.filter(Boolean)) {
      const e = JSON.parse(line);
      pre.textContent = `${new Date(e.time * 1000).toLocaleTimeString()} ${e.Type} ${e.Action} ${e.Actor.Attributes.name || e.Actor.ID.slice(0, 12)}\n` + pre.textContent;
    }
    if (tab !== 'events') refresh();
  }).catch(showError);
}

// ------------------------------------------------------------------ wiring

for (const b of document.querySelectorAll('nav button')) {
  b.addEventListener('click', () => {
    tab = b.dataset.tab;
    for (const x of document.querySelectorAll('nav button')) x.classList.toggle('active', x === b);
    for (const s of document.querySelectorAll('section.tab')) s.hidden = s.id !== tab;
    refresh();
  });
}
$('#panel-close').addEventListener('click', () => {
  closePanel();
  closePanel = () => {};
  $('#panel').hidden = true;
});
$('#create').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const f = new FormData(ev.target);
  await act(async () => {
    const bindings = {};
    const exposed = {};
    for (const p of String(f.get('ports') || '').split(/[ ,]+/).filter(Boolean)) {
      const parts = p.split(':');
      const ctr = `${parts.pop()}${p.includes('/') ? '' : '/tcp'}`;
      const hostPort = parts.pop() || '';
      const hostIp = parts.pop() || '';
      (bindings[ctr] ||= []).push({ HostIp: hostIp, HostPort: hostPort });
      exposed[ctr] = {};
    }
    const cmd = String(f.get('cmd') || '').trim();
    const name = String(f.get('name') || '').trim();
    const created = await api('POST', `/containers/create${name ? `?name=${encodeURIComponent(name)}` : ''}`, {
      Image: f.get('image'),
      ...(cmd ? { Cmd: ['/bin/sh', '-c', cmd] } : {}),
      Tty: true,
      OpenStdin: true,
      ExposedPorts: exposed,
      HostConfig: { PortBindings: bindings },
    });
    await api('POST', `/containers/${created.Id}/start`);
  })();
});

api('GET', '/version')
  .then((v) => ($('#daemon').textContent = `${v.Version} · API ${v.ApiVersion}`))
  .catch(showError);
refresh();
followEvents();
