import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linkEnv, linkHostsEntry, parseLink, storedLink } from './links.js';

test('links parse in the CLI form and the stored form, and are stored as Docker stores them', () => {
  assert.deepEqual(parseLink('wp-mysql:mysql'), { target: 'wp-mysql', alias: 'mysql' });
  assert.deepEqual(parseLink('db'), { target: 'db', alias: 'db' });
  assert.deepEqual(parseLink('/wp-mysql:/blog1/mysql'), { target: 'wp-mysql', alias: 'mysql' });
  assert.equal(storedLink({ target: 'wp-mysql', alias: 'mysql' }, 'blog1'), '/wp-mysql:/blog1/mysql');
  assert.throws(() => parseLink(':x'), /invalid link format/);
});

test('a link sets Docker\'s variables: the first port, each port\'s parts, the name, the target\'s environment but HOME and PATH', () => {
  const env = linkEnv('wp-mysql', 'blog1', { name: 'db', id: 'abcdef0123456789', ip: '10.1.0.2', exposedPorts: ['33060/tcp', '3306/tcp'], env: ['PATH=/bin', 'MYSQL_ROOT_PASSWORD=pw', 'HOME=/root'] });
  assert.deepEqual(env, [
    'WP_MYSQL_PORT=tcp://10.1.0.2:3306',
    'WP_MYSQL_PORT_3306_TCP=tcp://10.1.0.2:3306',
    'WP_MYSQL_PORT_3306_TCP_ADDR=10.1.0.2',
    'WP_MYSQL_PORT_3306_TCP_PORT=3306',
    'WP_MYSQL_PORT_3306_TCP_PROTO=tcp',
    'WP_MYSQL_PORT_33060_TCP=tcp://10.1.0.2:33060',
    'WP_MYSQL_PORT_33060_TCP_ADDR=10.1.0.2',
    'WP_MYSQL_PORT_33060_TCP_PORT=33060',
    'WP_MYSQL_PORT_33060_TCP_PROTO=tcp',
    'WP_MYSQL_NAME=/blog1/wp-mysql',
    'WP_MYSQL_ENV_MYSQL_ROOT_PASSWORD=pw',
  ]);
  assert.equal(linkHostsEntry('mysql', { name: 'db', id: 'abcdef0123456789', ip: '10.1.0.2', exposedPorts: [], env: [] }), 'mysql abcdef012345 db:10.1.0.2');
  assert.equal(linkHostsEntry('db', { name: 'db', id: 'abcdef0123456789', ip: '10.1.0.2', exposedPorts: [], env: [] }), 'db abcdef012345:10.1.0.2');
});
