import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostsFile, resolvConfFile } from './etc-files.js';

test('hosts for network none has loopback names and the hostname', () => {
  const h = hostsFile({ hostname: 'abc123', domainname: '', networkMode: 'none', hostHosts: 'x', extraHosts: ['db:10.0.0.5'] });
  assert.match(h, /^127\.0\.0\.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n/);
  assert.match(h, /\n10\.0\.0\.5\tdb\n/);
  assert.match(h, /\n127\.0\.0\.1\tabc123\n$/);
});

test('hosts for network host is the host file', () => {
  assert.equal(hostsFile({ hostname: 'h', domainname: '', networkMode: 'host', hostHosts: '1.2.3.4 x', extraHosts: [] }), '1.2.3.4 x\n');
});

test('resolv.conf drops loopback nameservers, keeps search and options', () => {
  const host = '# comment\nnameserver 127.0.0.53\nnameserver 10.1.1.1\nsearch corp.example\noptions edns0\n';
  assert.equal(resolvConfFile({ hostResolv: host, networkMode: 'none', dns: [], dnsSearch: [], dnsOptions: [] }), 'search corp.example\nnameserver 10.1.1.1\noptions edns0\n');
});

test('resolv.conf falls back to public resolvers when only loopback ones exist', () => {
  assert.equal(resolvConfFile({ hostResolv: 'nameserver 127.0.0.1\n', networkMode: 'bridge', dns: [], dnsSearch: [], dnsOptions: [] }), 'nameserver 8.8.8.8\nnameserver 8.8.4.4\n');
});

test('--dns options replace the host settings; host network keeps loopback', () => {
  assert.equal(resolvConfFile({ hostResolv: 'nameserver 127.0.0.1\n', networkMode: 'host', dns: [], dnsSearch: [], dnsOptions: [] }), 'nameserver 127.0.0.1\n');
  assert.equal(resolvConfFile({ hostResolv: 'nameserver 1.1.1.1\n', networkMode: 'none', dns: ['9.9.9.9'], dnsSearch: ['a.b'], dnsOptions: ['ndots:2'] }), 'search a.b\nnameserver 9.9.9.9\noptions ndots:2\n');
});
