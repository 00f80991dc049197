import { test } from 'node:test';
import assert from 'node:assert/strict';
import { displayablePorts, imageCell, psRow } from './ps.js';
import type { FormatHelpers } from '../formatting.js';
import type { ContainerSummary } from '../../api/types/index.js';

// Minimal stand-ins for the shared helpers: these tests are about the row logic of ps itself.
const f = {
  shortId: (id: string) => id.replace(/^sha256:/, '').slice(0, 12),
  ellipsis: (s: string, w: number) => ([...s].length > w ? [...s].slice(0, w - 1).join('') + '…' : s),
  humanSize: (n: number) => `${n}B`,
  humanDuration: () => '5 seconds',
} as unknown as FormatHelpers;

const c = (over: Partial<ContainerSummary>): ContainerSummary => ({
  Id: 'a'.repeat(64), Names: ['/web'], Image: 'busybox', ImageID: 'sha256:' + 'b'.repeat(64), Command: 'sleep 300', Created: 1700000000,
  Ports: [], Labels: {}, State: 'running', Status: 'Up 5 seconds', HostConfig: { NetworkMode: 'none' }, NetworkSettings: { Networks: { none: {} } }, Mounts: [], ...over,
});

test('the COMMAND cell is cut at 20 characters before quoting', () => {
  assert.equal(psRow(f, c({}), true, 0).Command, '"sleep 300"');
  assert.equal(psRow(f, c({ Command: "sh -c 'while true; do sleep 1; done'" }), true, 0).Command, `"sh -c 'while true; …"`);
  assert.equal(psRow(f, c({ Command: "sh -c 'while true; do sleep 1; done'" }), false, 0).Command, `"sh -c 'while true; do sleep 1; done'"`);
});

test('names drop the slash and link names; IDs are short unless --no-trunc', () => {
  const r = psRow(f, c({ Names: ['/other/alias', '/web'] }), true, 0);
  assert.equal(r.Names, 'web');
  assert.equal(r.ID, 'a'.repeat(12));
  assert.equal(psRow(f, c({ Names: ['/other/alias', '/web'] }), false, 0).Names, 'other/alias,web');
  assert.equal(r.Networks, 'none');
  assert.equal(r.RunningFor, '5 seconds ago');
});

test('the IMAGE cell: familiar names, short IDs for containers made from an ID', () => {
  assert.equal(imageCell(f, c({ Image: 'docker.io/library/busybox:latest' }), true), 'busybox:latest');
  assert.equal(imageCell(f, c({ Image: 'b'.repeat(12) }), true), 'b'.repeat(12));
  assert.equal(imageCell(f, c({ Image: '' }), true), '<no image>');
});

test('ports', () => {
  assert.equal(displayablePorts([{ PrivatePort: 80, Type: 'tcp' }, { IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' }]), '80/tcp, 0.0.0.0:8080->80/tcp');
});
