// Networking through the real docker CLI (and dockerode) against berthd: the default bridge, ports
// published onto 127.0.0.1, links, user-defined networks with their DNS, isolation, connect and
// disconnect, bad input, a daemon restart, and nothing leaked after many runs. Traffic goes only to
// 127.0.0.1 and to the containers' own addresses (busybox httpd serving the container's /etc).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import Docker from 'dockerode';
import { startDaemon, run, waitFor, httpGet, freePort } from './harness/index.js';

const d = await startDaemon({ after });
const berth = d.engine === 'berthd';

async function docker(args: string[], what = args.join(' ')): Promise<string> {
  const r = await d.docker(args);
  assert.equal(r.code, 0, `${what}: exit ${r.code}\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** Our packet-filter rules as iptables prints them (the nat and filter chains of this daemon). */
async function ourRules(): Promise<string> {
  const out: string[] = [];
  for (const [table, chain] of [['nat', `BERTH-${d.bridge}`], ['nat', `BERTHP-${d.bridge}`], ['filter', `BERTHF-${d.bridge}`]]) {
    out.push((await run('iptables', ['-w', '5', '-t', table!, '-S', chain!])).stdout);
  }
  return out.join('');
}

/** Host interfaces enslaved to a bridge (the host ends of the containers' veths). */
function portsOf(bridge: string): string[] {
  try {
    return fs.readdirSync(`/sys/class/net/${bridge}/brif`);
  } catch {
    return [];
  }
}

const httpd = ['busybox', 'httpd', '-f', '-p', '80', '-h', '/etc'];
/** This file's fixed subnets come from its test slot, so that two runs side by side never share one. */
const slot = Number(d.bip.split('.')[2]);
const fixedNet = `10.232.${slot}`;
const fixedNet2 = `10.230.${slot}`;

test('the default bridge: eth0 with an address from --bip, a MAC derived from it, a default route; inspect agrees', async () => {
  const id = (await docker(['run', '-d', '--name', 'web', ...httpd])).trim();
  const ins = JSON.parse(await docker(['inspect', 'web']))[0];
  const ns = ins.NetworkSettings;
  const ip: string = ns.IPAddress;
  const subnet = d.bip.split('.').slice(0, 3).join('.');
  assert.match(ip, new RegExp(`^${subnet.replace(/\./g, '\\.')}\\.\\d+$`));
  assert.equal(ns.Gateway, d.bip.split('/')[0]);
  assert.equal(ns.IPPrefixLen, 24);
  const mac = '02:42:' + ip.split('.').map((n) => Number(n).toString(16).padStart(2, '0')).join(':');
  assert.equal(ns.MacAddress, mac);
  assert.equal(ns.Networks.bridge.IPAddress, ip);
  assert.match(ns.Networks.bridge.NetworkID, /^[0-9a-f]{64}$/);
  assert.match(ns.Networks.bridge.EndpointID, /^[0-9a-f]{64}$/);
  assert.notEqual(ns.SandboxKey, '');
  const inside = await docker(['exec', 'web', 'sh', '-c', 'ip -o -4 addr show eth0; cat /sys/class/net/eth0/address; ip route; grep -c "^" /etc/hosts; tail -1 /etc/hosts']);
  assert.match(inside, new RegExp(`inet ${ip.replace(/\./g, '\\.')}/24`));
  assert.match(inside, new RegExp(`^${mac}$`, 'm'));
  assert.match(inside, new RegExp(`^default via ${ns.Gateway.replace(/\./g, '\\.')} dev eth0`, 'm'));
  assert.match(inside, new RegExp(`^${ip.replace(/\./g, '\\.')}\\s+${id.slice(0, 12)}$`, 'm'), '/etc/hosts maps the hostname to the address');
  // Reachable at its own address from the host.
  assert.equal((await httpGet(ip, 80)).trim(), id.slice(0, 12));
  // network inspect lists it.
  const netIns = JSON.parse(await docker(['network', 'inspect', 'bridge']))[0];
  assert.equal(netIns.Containers[id].IPv4Address, `${ip}/24`);
  assert.equal(netIns.Options['com.docker.network.bridge.name'], d.bridge);
});

test('-p onto 127.0.0.1 and onto all addresses, -p IP::PORT, -P; port, ps PORTS, inspect Ports and PortBindings', async () => {
  const [p1, p2] = [await freePort(), await freePort()];
  await docker(['run', '-d', '--name', 'pub', '-p', `127.0.0.1:${p1}:80`, '-p', `${p2}:80`, '-p', '127.0.0.1::80', '--expose', '443', ...httpd]);
  const id = (await docker(['inspect', '-f', '{{.Id}}', 'pub'])).trim();
  const bindings = JSON.parse(await docker(['inspect', '-f', '{{json .HostConfig.PortBindings}}', 'pub']));
  assert.deepEqual(bindings['80/tcp'].map((b: { HostPort: string }) => b.HostPort).sort(), ['', String(p1), String(p2)].sort());
  const ports = JSON.parse(await docker(['inspect', '-f', '{{json .NetworkSettings.Ports}}', 'pub']));
  assert.equal(ports['443/tcp'], null, 'exposed, not published');
  const anyPort = ports['80/tcp'].find((b: { HostIp: string; HostPort: string }) => b.HostIp === '127.0.0.1' && b.HostPort !== String(p1)).HostPort;
  assert.ok(Number(anyPort) > 1024);
  // dockerd also publishes onto [::]; berth's bridges are IPv4-only.
  const portOut = (await docker(['port', 'pub', '80/tcp'])).trim().split('\n').filter((l) => !l.startsWith('[')).sort();
  assert.deepEqual(portOut, [`0.0.0.0:${p2}`, `127.0.0.1:${anyPort}`, `127.0.0.1:${p1}`].sort());
  const ps = (await docker(['ps', '--filter', 'name=pub', '--format', '{{.Ports}}'])).trim();
  for (const part of [`127.0.0.1:${p1}->80/tcp`, `0.0.0.0:${p2}->80/tcp`, `127.0.0.1:${anyPort}->80/tcp`, '443/tcp']) assert.ok(ps.includes(part), `${part} in ${ps}`);
  // Each answers on loopback with the container's page.
  for (const p of [p1, p2, Number(anyPort)]) assert.equal((await httpGet('127.0.0.1', p)).trim(), id.slice(0, 12), `127.0.0.1:${p}`);
  // docker stats counts the container's own interfaces (the requests above went through eth0).
  const netIO = (await docker(['stats', '--no-stream', '--format', '{{.NetIO}}', 'pub'])).trim();
  assert.match(netIO, /^[\d.]+k?B \/ [\d.]+k?B$/);
  assert.notEqual(netIO, '0B / 0B');
  // -P publishes every exposed port on a free one.
  await docker(['run', '-d', '--name', 'puball', '-P', '--expose', '80', ...httpd]);
  const all = (await docker(['port', 'puball', '80'])).trim();
  const m = /^0\.0\.0\.0:(\d+)$/m.exec(all);
  assert.ok(m, all);
  assert.equal((await httpGet('127.0.0.1', Number(m[1]))).length > 0, true);
  await docker(['rm', '-f', 'puball']);
});

test('a port already taken fails the start in Docker\'s words and leaves nothing behind', async () => {
  const before = await ourRules();
  const bridgePorts = portsOf(d.bridge).length;
  // A host program holds one port.
  const holder = net.createServer();
  const held = await new Promise<number>((r) => holder.listen(0, '0.0.0.0', () => r((holder.address() as net.AddressInfo).port)));
  try {
    const r = await d.docker(['run', '-d', '--name', 'clash', '-p', `${held}:80`, ...httpd]);
    assert.equal(r.code, 125, r.stderr);
    assert.match(r.stderr, new RegExp(`driver failed programming external connectivity on endpoint clash .*0\\.0\\.0\\.0:${held}.*address already in use`));
    assert.equal((await docker(['inspect', '-f', '{{.State.Status}}', 'clash'])).trim(), 'created');
  } finally {
    holder.close();
  }
  // A port another container publishes.
  const taken = (await docker(['port', 'pub', '80/tcp'])).split('\n').find((l) => l.startsWith('0.0.0.0:'))!.split(':')[1]!;
  const r2 = await d.docker(['run', '-d', '--name', 'clash2', '-p', `${taken}:80`, ...httpd]);
  assert.equal(r2.code, 125);
  assert.match(r2.stderr, new RegExp(`Bind for 0\\.0\\.0\\.0:${taken} failed: port is already allocated`));
  if (berth) {
    assert.equal(await ourRules(), before, 'no rule was added');
    assert.equal(portsOf(d.bridge).length, bridgePorts, 'no veth was left on the bridge');
  }
  await docker(['rm', '-f', 'clash', 'clash2']);
});

test('malformed -p, unknown network, overlapping subnet, bad --ip: clear errors, nothing made', async () => {
  const bad = await d.docker(['run', '--rm', '-p', '99999:80', 'busybox', 'true']);
  assert.equal(bad.code, 125);
  assert.match(bad.stderr, /invalid/i);
  // The docker CLI answers any 404 from create with a pull (and then tries again); --pull never keeps
  // the daemon's own answer in view on a machine where no registry is reachable.
  const unknown = await d.docker(['run', '--rm', '--pull', 'never', '--network', 'no-such-net', 'busybox', 'true']);
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.stderr, /network no-such-net not found/);
  const ins = await d.docker(['network', 'inspect', 'no-such-net']);
  assert.equal(ins.code, 1);
  assert.match(ins.stderr, /network no-such-net not found/);
  const before = (await docker(['network', 'ls', '-q'])).trim().split('\n').length;
  const overlap = await d.docker(['network', 'create', '--subnet', d.bip.replace(/\.1\/24$/, '.0/25'), 'overlapping']);
  assert.equal(overlap.code, 1);
  assert.match(overlap.stderr, /Pool overlaps with other one on this address space/);
  const badGw = await d.docker(['network', 'create', '--subnet', `${fixedNet2}.0/24`, '--gateway', '10.231.1.1', 'badgw']);
  assert.equal(badGw.code, 1);
  assert.match(badGw.stderr, /no matching subnet for gateway/);
  assert.equal((await docker(['network', 'ls', '-q'])).trim().split('\n').length, before, 'no network was made');
  const builtin = await d.docker(['network', 'rm', 'bridge']);
  assert.equal(builtin.code, 1);
  assert.match(builtin.stderr, /bridge is a pre-defined network and cannot be removed/);
});

test('--mac-address: the container has it on eth0 and inspect shows it, on the default bridge and a user network; a malformed one is a 400', { skip: !berth && 'the docker CLI 28 sends --mac-address per network, which needs API 1.44 (dockerd 20.10 speaks 1.41)' }, async () => {
  const id = (await docker(['run', '-d', '--mac-address', '02:42:AC:1F:00:99', ...httpd])).trim();
  const net1 = `macnet${slot}`;
  await docker(['network', 'create', '--subnet', `10.233.${slot}.0/24`, net1]);
  const id2 = (await docker(['run', '-d', '--network', net1, '--mac-address', '02-42-0a-e9-00-77', ...httpd])).trim();
  try {
    assert.equal((await docker(['exec', id, 'cat', '/sys/class/net/eth0/address'])).trim(), '02:42:ac:1f:00:99');
    assert.equal((await docker(['exec', id2, 'cat', '/sys/class/net/eth0/address'])).trim(), '02:42:0a:e9:00:77');
    const ns = JSON.parse(await docker(['inspect', id]))[0].NetworkSettings;
    assert.equal(ns.MacAddress, '02:42:ac:1f:00:99');
    assert.equal(ns.Networks.bridge.MacAddress, '02:42:ac:1f:00:99');
    const ns2 = JSON.parse(await docker(['inspect', id2]))[0].NetworkSettings;
    assert.equal(ns2.Networks[net1].MacAddress, '02:42:0a:e9:00:77');
    // A client older than API 1.44 puts it in the container's config instead: the first network's.
    const legacy = await d.api('POST', '/v1.41/containers/create', { body: { Image: 'busybox', Cmd: ['cat', '/sys/class/net/eth0/address'], MacAddress: '02:42:ac:1f:00:55' } });
    assert.equal(legacy.status, 201, legacy.text);
    const lid = legacy.json<{ Id: string }>().Id;
    await docker(['start', '-a', lid]).then((out) => assert.equal(out.trim(), '02:42:ac:1f:00:55'));
    await docker(['rm', lid]);
    // The docker CLI checks the flag itself; an API client gets the daemon's 400.
    const before = (await docker(['ps', '-aq'])).trim().split('\n').length;
    for (const body of [
      { Image: 'busybox', NetworkingConfig: { EndpointsConfig: { bridge: { MacAddress: '02:42:zz:00:00:01' } } } },
      { Image: 'busybox', MacAddress: 'not-a-mac' },
    ]) {
      const r = await d.api('POST', '/containers/create', { body });
      assert.equal(r.status, 400, r.text);
      assert.match(r.json<{ message: string }>().message, /invalid MAC address/);
    }
    assert.equal((await docker(['ps', '-aq'])).trim().split('\n').length, before, 'no container was made');
  } finally {
    await docker(['rm', '-f', id, id2]);
    await docker(['network', 'rm', net1]);
  }
});

test('the networks API refuses bad bodies with 400s and unknown networks with 404s; nothing is made', async () => {
  const before = (await d.api('GET', '/networks')).json().length;
  // An empty name is a 500 in dockerd 20.10 (a 400 in later Docker, and in berth).
  for (const body of [{ Name: 5 }, ...(berth ? [{ Name: '' }] : []), { Name: 'x', IPAM: { Config: 'nope' } }, { Name: 'x', IPAM: { Config: [{ Subnet: 7 }] } }, { Name: 'x', Labels: [1] }]) {
    const r = await d.api('POST', '/networks/create', { body });
    assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.status} ${r.text}`);
  }
  assert.equal((await d.api('POST', '/networks/create', { body: { Name: 'host' } })).status, 403);
  assert.equal((await d.api('GET', '/networks/no-such')).status, 404);
  assert.equal((await d.api('DELETE', '/networks/no-such')).status, 404);
  assert.equal((await d.api('POST', '/networks/no-such/connect', { body: { Container: 'web' } })).status, 404);
  assert.equal((await d.api('GET', '/networks?filters=' + encodeURIComponent('{"bogus":["x"]}'))).status, 400);
  assert.equal((await d.api('GET', '/networks')).json().length, before);
});

test('--link name:alias gives /etc/hosts entries and Docker\'s variables; the alias answers', async () => {
  await docker(['run', '-d', '--name', 'wp-mysql', '-e', 'MYSQL_ROOT_PASSWORD=secret', '--expose', '3306', ...httpd]);
  const target = JSON.parse(await docker(['inspect', 'wp-mysql']))[0];
  const ip = target.NetworkSettings.IPAddress;
  const out = await docker(['run', '--rm', '--name', 'blog1', '--link', 'wp-mysql:mysql', 'busybox', 'sh', '-c', 'grep mysql /etc/hosts; env | grep ^MYSQL_ | sort; printf "GET /hostname HTTP/1.0\\r\\n\\r\\n" | nc -w 3 mysql 80 | tail -1']);
  assert.match(out, new RegExp(`^${ip.replace(/\./g, '\\.')}\\s+mysql ${target.Id.slice(0, 12)} wp-mysql$`, 'm'));
  for (const v of [`MYSQL_NAME=/blog1/mysql`, `MYSQL_PORT=tcp://${ip}:3306`, `MYSQL_PORT_3306_TCP_ADDR=${ip}`, 'MYSQL_PORT_3306_TCP_PORT=3306', 'MYSQL_PORT_3306_TCP_PROTO=tcp', 'MYSQL_ENV_MYSQL_ROOT_PASSWORD=secret']) {
    assert.match(out, new RegExp(`^${v.replace(/[./]/g, '\\$&')}$`, 'm'), v);
  }
  assert.match(out, new RegExp(`^${target.Id.slice(0, 12)}$`, 'm'), 'the linked name reaches the target');
  const stored = JSON.parse(await docker(['inspect', '-f', '{{json .HostConfig.Links}}', (await docker(['create', '--name', 'linker', '--link', 'wp-mysql:db', 'busybox'])).trim()]));
  assert.deepEqual(stored, ['/wp-mysql:/linker/db']);
  await docker(['rm', '-f', 'linker']);
});

test('user-defined networks: create with options, ls filters, DNS by name, alias and short ID, isolation, --internal, two networks at once', async () => {
  const id = (await docker(['network', 'create', '--driver', 'bridge', '--subnet', `${fixedNet}.0/24`, '--gateway', `${fixedNet}.254`, '--ip-range', `${fixedNet}.128/25`, '--label', 'team=blue', 'my_isolated_bridge_network'])).trim();
  assert.match(id, /^[0-9a-f]{64}$/);
  assert.match((await docker(['network', 'create', '-o', `com.docker.network.bridge.name=bo${d.bridge.slice(-6)}`, 'othernet'])).trim(), /^[0-9a-f]{64}$/);
  assert.match((await docker(['network', 'create', '--internal', 'innet'])).trim(), /^[0-9a-f]{64}$/);
  assert.equal((await docker(['network', 'ls', '--filter', 'label=team=blue', '--format', '{{.Name}}'])).trim(), 'my_isolated_bridge_network');
  assert.deepEqual((await docker(['network', 'ls', '--filter', 'type=custom', '--format', '{{.Name}}'])).trim().split('\n').sort(), ['innet', 'my_isolated_bridge_network', 'othernet']);
  const ins = JSON.parse(await docker(['network', 'inspect', 'my_isolated_bridge_network']))[0];
  assert.deepEqual(ins.IPAM.Config, [{ Subnet: `${fixedNet}.0/24`, Gateway: `${fixedNet}.254`, IPRange: `${fixedNet}.128/25` }]);
  assert.deepEqual(ins.Labels, { team: 'blue' });
  if (berth) assert.ok(fs.existsSync(`/sys/class/net/bo${d.bridge.slice(-6)}`), '-o com.docker.network.bridge.name names the bridge');

  const srvId = (await docker(['run', '-d', '--name', 'srv', '--net=my_isolated_bridge_network', '--network-alias', 'webby', ...httpd])).trim();
  const srvIp = (await docker(['inspect', '-f', '{{.NetworkSettings.Networks.my_isolated_bridge_network.IPAddress}}', 'srv'])).trim();
  assert.ok(srvIp.startsWith(`${fixedNet}.`), srvIp);
  const last = Number(srvIp.split('.')[3]);
  assert.ok(last >= 128 && last < 254, `${srvIp} is from the --ip-range and is not the gateway`);
  const short = srvId.slice(0, 12);
  const look = await docker(['run', '--rm', '--net=my_isolated_bridge_network', 'busybox', 'sh', '-c', `nslookup srv; nslookup webby; nslookup ${short}; printf "GET /hostname HTTP/1.0\\r\\n\\r\\n" | nc -w 3 srv 80 | tail -1`]);
  assert.equal(look.match(new RegExp(`Address: ${srvIp.replace(/\./g, '\\.')}`, 'g'))?.length, 3, look);
  assert.match(look, new RegExp(`^${short}$`, 'm'));
  const missing = await d.docker(['run', '--rm', '--net=my_isolated_bridge_network', 'busybox', 'nslookup', 'no-such-container-here.invalid']);
  assert.notEqual(missing.code, 0);

  // Another network (and the default bridge) cannot reach it.
  for (const netName of ['othernet', 'bridge']) {
    const r = await d.docker(['run', '--rm', `--net=${netName}`, 'busybox', 'sh', '-c', `printf "GET / HTTP/1.0\\r\\n\\r\\n" | nc -w 2 ${srvIp} 80`]);
    assert.doesNotMatch(r.stdout, /HTTP\/1\.[01]/, `${netName} reached the isolated network: ${r.stdout}`);
  }
  // A container on two networks reaches both.
  await docker(['run', '-d', '--name', 'osrv', '--net=othernet', ...httpd]);
  const osrvIp = (await docker(['inspect', '-f', '{{.NetworkSettings.Networks.othernet.IPAddress}}', 'osrv'])).trim();
  await docker(['run', '-d', '--name', 'both', '--net=my_isolated_bridge_network', 'busybox', 'sleep', '300']);
  await docker(['network', 'connect', '--alias', 'bothalias', 'othernet', 'both']);
  const nets = JSON.parse(await docker(['inspect', '-f', '{{json .NetworkSettings.Networks}}', 'both']));
  assert.deepEqual(Object.keys(nets).sort(), ['my_isolated_bridge_network', 'othernet']);
  // API 1.45 (berth, Docker 26+) lists the user's aliases only; 1.41 (dockerd 20.10) adds the short ID.
  assert.deepEqual(nets.othernet.Aliases.filter((a: string) => !/^[0-9a-f]{12}$/.test(a)), ['bothalias']);
  const twice = await docker(['exec', 'both', 'sh', '-c', `for h in ${srvIp} ${osrvIp}; do printf "GET /hostname HTTP/1.0\\r\\n\\r\\n" | nc -w 3 $h 80 | tail -1; done`]);
  assert.equal(twice.trim().split('\n').length, 2, twice);
  const byAlias = await docker(['run', '--rm', '--net=othernet', 'busybox', 'nslookup', 'bothalias']);
  assert.match(byAlias, new RegExp(`Address: ${nets.othernet.IPAddress.replace(/\./g, '\\.')}`));
  await docker(['network', 'disconnect', 'othernet', 'both']);
  assert.deepEqual(Object.keys(JSON.parse(await docker(['inspect', '-f', '{{json .NetworkSettings.Networks}}', 'both']))), ['my_isolated_bridge_network']);
  assert.doesNotMatch(await docker(['exec', 'both', 'ip', '-o', 'link']), /eth1/);

  // --internal: members reach each other, nothing else (Docker keeps the default route and drops
  // what would leave the bridge: no masquerade, nothing forwarded out or in).
  await docker(['run', '-d', '--name', 'insrv', '--net=innet', ...httpd]);
  const inIp = (await docker(['inspect', '-f', '{{.NetworkSettings.Networks.innet.IPAddress}}', 'insrv'])).trim();
  const inside = await docker(['run', '--rm', '--net=innet', 'busybox', 'sh', '-c', `printf "GET /hostname HTTP/1.0\r\n\r\n" | nc -w 3 ${inIp} 80 | tail -1`]);
  assert.match(inside, /^[0-9a-f]{12}$/m, 'members of an internal network reach each other');
  const out = await d.docker(['run', '--rm', '--net=innet', 'busybox', 'sh', '-c', `printf "GET / HTTP/1.0\r\n\r\n" | nc -w 2 ${srvIp} 80`]);
  assert.doesNotMatch(out.stdout, /HTTP\/1\.[01]/);
  if (berth) {
    const innetRec = JSON.parse(await docker(['network', 'inspect', 'innet']))[0];
    const rules = await ourRules();
    assert.doesNotMatch(rules, new RegExp(`-s ${innetRec.IPAM.Config[0].Subnet.replace(/[./]/g, '\\$&')} ! -o`), 'no masquerade out of an internal network');
    assert.match(rules, /-i \S+ ! -o \S+ -j DROP/);
  }
  await docker(['rm', '-f', 'insrv']);

  // --ip on a user network; on the default bridge it is refused.
  const fixed = (await docker(['run', '--rm', '--net=my_isolated_bridge_network', '--ip', `${fixedNet}.200`, 'busybox', 'ip', '-o', '-4', 'addr', 'show', 'eth0'])).trim();
  assert.ok(fixed.includes(`inet ${fixedNet}.200/24`), fixed);
  const badIp = await d.docker(['run', '--rm', '--net=my_isolated_bridge_network', '--ip', '10.99.0.5', 'busybox', 'true']);
  assert.notEqual(badIp.code, 0);
  assert.match(badIp.stderr, /Invalid address 10\.99\.0\.5: It does not belong to any of this network's subnets/);
  assert.equal((await d.docker(['ps', '-aq', '--filter', 'status=created'])).stdout.trim(), '', 'the refused run made no container');

  // A network with a running container cannot go; once it is empty it can.
  const busy = await d.docker(['network', 'rm', 'othernet']);
  assert.equal(busy.code, 1);
  assert.match(busy.stderr, /has active endpoints/);
  await docker(['rm', '-f', 'osrv', 'both', 'srv']);
  await docker(['network', 'rm', 'othernet', 'innet']);
  if (berth) assert.equal(fs.existsSync(`/sys/class/net/bo${d.bridge.slice(-6)}`), false, 'the bridge went with its network');
});

test('dockerode: create a network, run a container on it, inspect, connect, remove', async () => {
  const dk = new Docker({ socketPath: d.socket });
  const n = await dk.createNetwork({ Name: 'dockerode-net', Driver: 'bridge', Labels: { via: 'dockerode' } });
  const c = await dk.createContainer({ Image: 'busybox', Cmd: ['sleep', '300'], HostConfig: { NetworkMode: 'dockerode-net' } });
  await c.start();
  const info = await n.inspect();
  assert.equal(info.Name, 'dockerode-net');
  assert.ok(info.Containers?.[c.id], 'the network lists the container');
  const list = await dk.listNetworks({ filters: { label: ['via=dockerode'] } });
  assert.deepEqual(list.map((x) => x.Name), ['dockerode-net']);
  await c.remove({ force: true });
  await n.remove();
  await assert.rejects(dk.getNetwork('dockerode-net').inspect(), (e: { statusCode?: number }) => e.statusCode === 404);
  await dk.createNetwork({ Name: 'dockerode-unused', Driver: 'bridge' });
  const pruned = await dk.pruneNetworks();
  assert.ok((pruned.NetworksDeleted ?? []).includes('dockerode-unused'), JSON.stringify(pruned));
  await assert.rejects(dk.getNetwork('dockerode-unused').inspect(), (e: { statusCode?: number }) => e.statusCode === 404);
  assert.equal((await dk.getNetwork('bridge').inspect()).Name, 'bridge', 'prune keeps the built-ins');
});

test('across a daemon restart and a crash: the published port forwards while berthd is down and after; DNS answers again; the rules are adopted', { skip: !berth && 'berthd only (restart semantics)' }, async () => {
  const port = Number((await docker(['port', 'pub', '80/tcp'])).split('\n').find((l) => l.startsWith('127.0.0.1:'))!.split(':')[1]);
  const id = (await docker(['inspect', '-f', '{{.Id}}', 'pub'])).trim();
  await docker(['network', 'create', 'survivors']);
  await docker(['run', '-d', '--name', 'named', '--net=survivors', 'busybox', 'sleep', '300']);
  await d.stop();
  assert.equal((await httpGet('127.0.0.1', port)).trim(), id.slice(0, 12), 'forwarding while the daemon is down');
  await d.start();
  assert.equal((await httpGet('127.0.0.1', port)).trim(), id.slice(0, 12), 'forwarding after the restart');
  assert.match(await docker(['port', 'pub', '80/tcp']), new RegExp(`127\\.0\\.0\\.1:${port}`));
  const ip = (await docker(['inspect', '-f', '{{.NetworkSettings.Networks.survivors.IPAddress}}', 'named'])).trim();
  const look = await docker(['run', '--rm', '--net=survivors', 'busybox', 'nslookup', 'named']);
  assert.match(look, new RegExp(`Address: ${ip.replace(/\./g, '\\.')}`));
  // A new container does not get a running one's address.
  const fresh = (await docker(['run', '--rm', '--net=survivors', 'busybox', 'ip', '-o', '-4', 'addr', 'show', 'eth0'])).trim();
  assert.doesNotMatch(fresh, new RegExp(`inet ${ip.replace(/\./g, '\\.')}/`));
  await docker(['rm', '-f', 'named']);
  await docker(['network', 'rm', 'survivors']);

  // A crash (SIGKILL) in the middle of things: the next start adopts the same rules, no more, and a
  // new publish of another port works beside the old one.
  const rules = await ourRules();
  await d.kill();
  assert.equal((await httpGet('127.0.0.1', port)).trim(), id.slice(0, 12), 'forwarding while the daemon is dead');
  await d.start();
  assert.equal(await ourRules(), rules, 'the restarted daemon wrote back the same chains');
  assert.equal((await httpGet('127.0.0.1', port)).trim(), id.slice(0, 12));
  await docker(['run', '-d', '--name', 'after-crash', '-p', '127.0.0.1::80', ...httpd]);
  const p2 = Number((await docker(['port', 'after-crash', '80/tcp'])).trim().split(':')[1]);
  assert.notEqual(p2, port);
  assert.equal((await httpGet('127.0.0.1', p2)).length > 0, true);
  await docker(['rm', '-f', 'after-crash']);
});

test('100 runs with a published port leak nothing: veths, rules, addresses, fds', { skip: !berth && 'berthd only (looks inside the daemon)' }, async () => {
  await docker(['rm', '-f', 'web', 'pub', 'wp-mysql']);
  await waitFor('the bridge to empty', () => portsOf(d.bridge).length === 0);
  const rulesBefore = await ourRules();
  const pid = Number(fs.readFileSync(d.pidfile, 'utf8').trim());
  const fds = () => fs.readdirSync(`/proc/${pid}/fd`).length;
  const fdsBefore = fds();
  for (let i = 0; i < 100; i++) {
    const r = await d.docker(['run', '--rm', '-p', '127.0.0.1::80', 'busybox', 'true']);
    assert.equal(r.code, 0, `run ${i}: ${r.stderr}`);
  }
  await waitFor('the veths to go', () => portsOf(d.bridge).length === 0);
  // The last run's clean-up (its rule included) finishes in the background after the CLI returned.
  await waitFor('the rules to be as before', async () => (await ourRules()) === rulesBefore).catch(() => {});
  assert.equal(await ourRules(), rulesBefore);
  assert.ok(fds() <= fdsBefore + 2, `fds ${fdsBefore} -> ${fds()}`);
  // Every address came back: the next container gets one of the first few.
  const ip = (await docker(['run', '--rm', 'busybox', 'ip', '-o', '-4', 'addr', 'show', 'eth0'])).trim();
  assert.match(ip, /inet \d+\.\d+\.\d+\.\d+\/24/);
});
