// Tests of docker's table output. Expected strings were printed by the real docker CLI 28.2
// (`docker volume ls --format ...`) against a dockerd holding the same volumes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultHeader, formatTable, parseFormat, renderList, tabwrite } from './table.js';

const anon = '104556c03bba4d0ada392d261e02434261aeaeb426c213357cc19d693de7eb63';
const volumes = [
  { Name: anon, Driver: 'local', Labels: '' },
  { Name: 'foo', Driver: 'local', Labels: '' },
  { Name: 'opt1', Driver: 'local', Labels: '' },
  { Name: 'orc', Driver: 'local', Labels: 'a=x,b=2' },
  { Name: 'uni', Driver: 'local', Labels: 'é=ü' },
];
const volumeHeaders = { Name: 'VOLUME NAME', Driver: 'DRIVER', Labels: 'LABELS', Mountpoint: 'MOUNTPOINT' };

test('a table template matches docker volume ls byte for byte (empty cells, runes, minwidth 10)', () => {
  const want =
    'VOLUME NAME                                                        LABELS    DRIVER\n' +
    `${anon}             local\n` +
    'foo                                                                          local\n' +
    'opt1                                                                         local\n' +
    'orc                                                                a=x,b=2   local\n' +
    'uni                                                                é=ü       local\n';
  assert.equal(renderList('table {{.Name}}\\t{{.Labels}}\\t{{.Driver}}', volumes, { headers: volumeHeaders }), want);
  assert.equal(renderList('table {{.Name}}\\t{{.Labels}}', volumes.slice(3, 4), { headers: volumeHeaders }), 'VOLUME NAME   LABELS\norc           a=x,b=2\n');
});

test('a plain template has no header and no alignment; every item ends in a newline', () => {
  assert.equal(renderList('{{.Name}}\\t{{.Driver}}', volumes.slice(1, 3)), 'foo\tlocal\nopt1\tlocal\n');
  // docker trims the format's spaces and expands \n, so an item can print a blank line.
  assert.equal(renderList('  x{{.Name}}\\n', volumes.slice(1, 2)), 'xfoo\n\n');
});

test('"table" alone is the default table; header functions keep titles as they are', () => {
  const opts = { headers: volumeHeaders, defaultTable: 'table {{.Driver}}\t{{.Name}}' };
  assert.equal(renderList('table', volumes.slice(0, 1), opts), `DRIVER    VOLUME NAME\nlocal     ${anon}\n`);
  assert.equal(renderList('table   {{upper .Name}}:{{json .Driver}}  ', volumes.slice(1, 2), opts), 'VOLUME NAME:DRIVER\nFOO:"local"\n');
});

test('docker ps header with no rows', () => {
  const headers = { ID: 'CONTAINER ID', Image: 'IMAGE', Command: 'COMMAND', RunningFor: 'CREATED', Status: 'STATUS', Ports: 'PORTS', Names: 'NAMES' };
  const out = renderList('table {{.ID}}\\t{{.Image}}\\t{{.Command}}\\t{{.RunningFor}}\\t{{.Status}}\\t{{.Ports}}\\t{{.Names}}', [], { headers });
  assert.equal(out, 'CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES\n');
});

test('fields without a title get one from their name; nested fields too', () => {
  assert.equal(defaultHeader('RunningFor'), 'RUNNING FOR');
  assert.equal(defaultHeader('ID'), 'ID');
  assert.equal(defaultHeader('HTTPPort'), 'HTTP PORT');
  const out = renderList('table {{.State.Status}}\\t{{.CreatedAt}}', [{ State: { Status: 'running' }, CreatedAt: 'now' }]);
  assert.equal(out, 'STATUS    CREATED AT\nrunning   now\n');
});

test('json format prints one object per line', () => {
  const pf = parseFormat('json');
  assert.deepEqual(pf, { table: false, json: true, template: '{{json .}}' });
  assert.equal(renderList('json', [{ A: 1 }, { A: 2 }]), '{"A":1}\n{"A":2}\n');
});

test('tabwriter: column blocks end at lines with fewer cells; last cell never padded', () => {
  // Go's tabwriter sizes a column over consecutive lines that have it.
  assert.equal(tabwrite('a\tb\tc\nlonger-cell\tx\n\nq\tr\n', { minwidth: 0, padding: 1 }), 'a           b c\nlonger-cell x\n\nq r\n');
  assert.equal(tabwrite('a\tb', { minwidth: 0, padding: 3 }), 'a   b');
  assert.equal(formatTable([['NAME', 'ID'], ['x', '1']]), 'NAME      ID\nx         1\n');
  assert.equal(formatTable('NAME\tID\nx\t1\n'), 'NAME      ID\nx         1\n');
  // Empty cells are padded to the column's width.
  assert.equal(formatTable([['', 'b'], ['aaaaaaaaaaaa', 'c']]), '               b\naaaaaaaaaaaa   c\n');
});
