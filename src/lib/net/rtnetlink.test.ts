import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressAdd, bridgeCreate, defaultRoute, ipv4Broadcast, ipv4Bytes, linkDelete, linkUp, macBytes, rtattr, splitMessages, vethCreate } from './rtnetlink.js';

// An independent reader of what the encoder writes: attributes as {type: payload}, in order.
function attrs(buf: Buffer): Array<[number, Buffer]> {
  const out: Array<[number, Buffer]> = [];
  let off = 0;
  while (off + 4 <= buf.length) {
    const len = buf.readUInt16LE(off);
    assert.ok(len >= 4 && off + len <= buf.length, `attribute at ${off} has length ${len}`);
    out.push([buf.readUInt16LE(off + 2), buf.subarray(off + 4, off + len)]);
    off += (len + 3) & ~3;
  }
  assert.equal(off, buf.length, 'attributes fill the buffer exactly');
  return out;
}
const find = (list: Array<[number, Buffer]>, type: number) => {
  const hit = list.find(([t]) => t === type);
  assert.ok(hit, `attribute ${type} present`);
  return hit[1];
};
const cstr = (b: Buffer) => {
  assert.equal(b[b.length - 1], 0, 'NUL-terminated');
  return b.subarray(0, -1).toString();
};

test('link up is the kernel ABI byte for byte: nlmsghdr then ifinfomsg, request and ack flags', () => {
  const m = linkUp(7, 42);
  assert.equal(
    m.toString('hex'),
    [
      '20000000', // length 32
      '1000', // RTM_NEWLINK
      '0500', // NLM_F_REQUEST | NLM_F_ACK
      '2a000000', // sequence 42
      '00000000', // port: the kernel
      '00', '00', '0000', // family AF_UNSPEC, pad, type
      '07000000', // index 7
      '01000000', // flags IFF_UP
      '01000000', // change IFF_UP
    ].join(''),
  );
});

test('attributes carry their unpadded length and are padded to four bytes', () => {
  const a = rtattr(3, Buffer.from('eth0\0'));
  assert.equal(a.length, 12);
  assert.equal(a.readUInt16LE(0), 9);
  assert.equal(a.readUInt16LE(2), 3);
  assert.deepEqual(a.subarray(9), Buffer.alloc(3));
});

test('a veth request names both ends, enslaves and raises the host one, and moves the peer by fd', () => {
  const m = vethCreate({ hostIf: 'vethb1234', masterIndex: 9, peerName: 'eth0', peerMac: '02:42:0a:00:00:02', peerNetnsFd: 31 }, 5);
  const [h] = splitMessages(m);
  assert.deepEqual(h, { type: 16, flags: 0x1 | 0x4 | 0x400 | 0x200, seq: 5, length: m.length });
  assert.equal(m.readUInt32LE(16 + 8), 1, 'IFF_UP in flags');
  assert.equal(m.readUInt32LE(16 + 12), 1, 'IFF_UP in change');
  const top = attrs(m.subarray(32));
  assert.equal(cstr(find(top, 3)), 'vethb1234');
  assert.equal(find(top, 10).readUInt32LE(0), 9);
  const info = attrs(find(top, 18));
  assert.equal(cstr(find(info, 1)), 'veth');
  const data = attrs(find(info, 2));
  const peer = find(data, 1);
  assert.equal(peer.readInt32LE(4), 0, 'the peer ifinfomsg asks for no index');
  const peerAttrs = attrs(peer.subarray(16));
  assert.equal(cstr(find(peerAttrs, 3)), 'eth0');
  assert.equal(find(peerAttrs, 1).toString('hex'), '02420a000002');
  assert.equal(find(peerAttrs, 28).readUInt32LE(0), 31);
});

test('an address carries local, address and (below /31) the broadcast, on the given index', () => {
  const m = addressAdd(2, '172.18.0.5', 16, 9);
  const [h] = splitMessages(m);
  assert.deepEqual(h, { type: 20, flags: 0x1 | 0x4 | 0x400 | 0x200, seq: 9, length: m.length });
  assert.deepEqual([...m.subarray(16, 20)], [2, 16, 0, 0]); // AF_INET, /16, no flags, universe
  assert.equal(m.readUInt32LE(20), 2);
  const a = attrs(m.subarray(24));
  assert.deepEqual([...find(a, 2)], [172, 18, 0, 5]);
  assert.deepEqual([...find(a, 1)], [172, 18, 0, 5]);
  assert.deepEqual([...find(a, 4)], [172, 18, 255, 255]);
  const p2p = attrs(addressAdd(2, '10.0.0.1', 31, 1).subarray(24));
  assert.equal(p2p.some(([t]) => t === 4), false, 'no broadcast on a /31');
});

test('the default route: main table, boot protocol, unicast, via the gateway out of the index', () => {
  const m = defaultRoute('10.214.7.1', 2, 3);
  const [h] = splitMessages(m);
  assert.deepEqual(h, { type: 24, flags: 0x1 | 0x4 | 0x400 | 0x100, seq: 3, length: m.length });
  assert.deepEqual([...m.subarray(16, 28)], [2, 0, 0, 0, 254, 3, 0, 1, 0, 0, 0, 0]); // ..., rtm_flags 0
  const a = attrs(m.subarray(28));
  assert.deepEqual([...find(a, 5)], [10, 214, 7, 1]);
  assert.equal(find(a, 4).readUInt32LE(0), 2);
});

test('several requests concatenate and split back in order; a delete goes by name', () => {
  const buf = Buffer.concat([linkUp(1, 1), addressAdd(2, '10.0.0.2', 24, 2), linkDelete('vethx', 3)]);
  assert.deepEqual(
    splitMessages(buf).map((m) => [m.type, m.seq]),
    [[16, 1], [20, 2], [17, 3]],
  );
  assert.equal(cstr(find(attrs(linkDelete('vethx', 3).subarray(32)), 3)), 'vethx');
  assert.throws(() => splitMessages(Buffer.from('ff000000000000000000000000000000', 'hex')), /malformed/);
});

test('addresses and MACs are checked, not guessed', () => {
  assert.deepEqual([...ipv4Bytes('192.168.1.254')], [192, 168, 1, 254]);
  assert.throws(() => ipv4Bytes('192.168.1.256'), /invalid IPv4/);
  assert.throws(() => ipv4Bytes('10.0.0'), /invalid IPv4/);
  assert.throws(() => macBytes('02:42:0a:00:00'), /invalid MAC/);
  assert.throws(() => macBytes('02:42:0a:00:00:zz'), /invalid MAC/);
  assert.deepEqual([...ipv4Broadcast('10.1.2.3', 8)], [10, 255, 255, 255]);
  assert.deepEqual([...ipv4Broadcast('10.1.2.3', 32)], [10, 1, 2, 3]);
  assert.throws(() => addressAdd(2, '10.0.0.2', 33, 1), /prefix length/);
});

test('a bridge is a new link of kind bridge by name; its address can be replaced rather than added', () => {
  const m = bridgeCreate('berth9', 4);
  const [h] = splitMessages(m);
  assert.deepEqual(h, { type: 16, flags: 0x1 | 0x4 | 0x400 | 0x200, seq: 4, length: m.length });
  const top = attrs(m.subarray(32));
  assert.equal(cstr(find(top, 3)), 'berth9');
  assert.equal(cstr(find(attrs(find(top, 18)), 1)), 'bridge');
  assert.equal(m.readUInt32LE(16 + 8), 0, 'made down: it comes up once addressed');
  const [r] = splitMessages(addressAdd(5, '10.1.0.1', 16, 6, { replace: true }));
  assert.equal(r!.flags, 0x1 | 0x4 | 0x400 | 0x100, 'create | replace, not exclusive');
});
