import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prettyEvent } from './events.js';

test('events print as docker: time, type, action, actor, sorted attributes', { skip: new Date().getTimezoneOffset() !== 0 }, () => {
  const line = prettyEvent({
    Type: 'container', Action: 'start', Actor: { ID: 'abc', Attributes: { name: 'x', image: 'busybox' } }, scope: 'local', time: 1357133017, timeNano: 1357133017000000042,
  });
  assert.match(line, /^2013-01-02T13:23:37\.0000000\d\dZ container start abc \(image=busybox, name=x\)\n$/);
});
