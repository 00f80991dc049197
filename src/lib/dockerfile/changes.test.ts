import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyChanges, parseExposedPorts, parseHealthcheck } from './changes.js';
import { parseGoDuration } from './duration.js';
import { parseInstruction, parseJsonForm } from './instruction.js';
import { parseNameValues, processWord, splitWords } from './words.js';

test('instruction split and JSON form detection', () => {
  const i = parseInstruction('  cmd   ["echo", "hi"] ');
  assert.equal(i.keyword, 'cmd');
  assert.deepEqual(i.json, ['echo', 'hi']);
  assert.equal(parseJsonForm('[not json'), null);
  assert.equal(parseJsonForm('[1, 2]'), null);
  assert.equal(parseInstruction('CMD echo hi').json, null);
});

test('word splitting with quotes and escapes', () => {
  assert.deepEqual(splitWords(`a "b c" 'd e' f\\ g`), ['a', 'b c', 'd e', 'f g']);
  assert.deepEqual(splitWords(`x="1 2" y='3'`), ['x=1 2', 'y=3']);
  assert.throws(() => splitWords('"open'), /unmatched double quote/);
  assert.deepEqual(parseNameValues('A=1 B="two words"', 'ENV'), [['A', '1'], ['B', 'two words']]);
  assert.deepEqual(parseNameValues('A value with  spaces', 'ENV'), [['A', 'value with spaces']]);
  assert.throws(() => parseNameValues('A=1 B', 'ENV'), /can't find =/);
  assert.throws(() => parseNameValues('', 'ENV'), /ENV requires at least one argument/);
});

test('CMD and ENTRYPOINT: JSON and shell forms', () => {
  assert.deepEqual(applyChanges({}, ['CMD ["sh"]']).Cmd, ['sh']);
  assert.deepEqual(applyChanges({}, ['CMD echo "hi there"']).Cmd, ['/bin/sh', '-c', 'echo "hi there"']);
  const c = applyChanges({}, ['ENTRYPOINT ["/bin/busybox"]', 'CMD ["sh"]']);
  assert.deepEqual(c.Entrypoint, ['/bin/busybox']);
  assert.deepEqual(c.Cmd, ['sh']);
  // ENTRYPOINT resets an inherited CMD, not one given in the same changes.
  assert.equal(applyChanges({ Cmd: ['old'] }, ['ENTRYPOINT top']).Cmd, null);
  assert.deepEqual(applyChanges({ Cmd: ['old'] }, ['ENTRYPOINT top']).Entrypoint, ['/bin/sh', '-c', 'top']);
  assert.deepEqual(applyChanges({}, ['CMD ["x"]', 'ENTRYPOINT ["e"]']).Cmd, ['x']);
});

test('ENV, LABEL, EXPOSE, WORKDIR, USER, VOLUME, STOPSIGNAL, ONBUILD', () => {
  const c = applyChanges({ Env: ['A=old', 'PATH=/bin'] }, [
    'ENV A=new B="b c"',
    'ENV LEGACY some value',
    'LABEL maintainer="me" version=1',
    'EXPOSE 80 53/udp 9000-9001',
    'WORKDIR /srv',
    'WORKDIR app/../data',
    'USER nobody:nogroup',
    'VOLUME ["/v1", "/v2"]',
    'VOLUME /v3 /v4',
    'STOPSIGNAL SIGQUIT',
    'ONBUILD run echo triggered',
  ]);
  assert.deepEqual(c.Env, ['A=new', 'PATH=/bin', 'B=b c', 'LEGACY=some value']);
  assert.deepEqual(c.Labels, { maintainer: 'me', version: '1' });
  assert.deepEqual(Object.keys(c.ExposedPorts!), ['80/tcp', '53/udp', '9000/tcp', '9001/tcp']);
  assert.equal(c.WorkingDir, '/srv/data');
  assert.equal(c.User, 'nobody:nogroup');
  assert.deepEqual(Object.keys(c.Volumes!), ['/v1', '/v2', '/v3', '/v4']);
  assert.equal(c.StopSignal, 'SIGQUIT');
  assert.deepEqual(c.OnBuild, ['RUN echo triggered']);
});

test('refused and malformed changes', () => {
  assert.throws(() => applyChanges({}, ['RUN echo hi']), /run is not a valid change command/);
  assert.throws(() => applyChanges({}, ['FROM busybox']), /from is not a valid change command/);
  assert.throws(() => applyChanges({}, ['EXPOSE http']), /invalid containerPort: http/);
  assert.throws(() => parseExposedPorts(['70000']), /invalid containerPort/);
  assert.throws(() => applyChanges({}, ['ONBUILD ONBUILD RUN x']), /Chaining ONBUILD/);
  assert.throws(() => applyChanges({}, ['ONBUILD FROM x']), /FROM isn't allowed as an ONBUILD trigger/);
  assert.throws(() => applyChanges({}, ['STOPSIGNAL $(reboot)']), /Invalid signal/);
  assert.throws(() => applyChanges({}, ['WORKDIR']), /WORKDIR requires exactly one argument/);
});

test('variables from the image environment are expanded where Docker expands them', () => {
  const c = applyChanges({ Env: ['PATH=/usr/bin:/bin', 'APP=/srv/app'] }, [
    'ENV PATH=$PATH:/opt/bin OLD=${PATH}',
    'ENV EMPTY=${NOPE:-fallback} ALT=${APP:+set} NONE=${NOPE:+x}',
    "ENV LIT='$APP' ESC=\\$APP Q=\"$APP x\"",
    'WORKDIR $APP/data',
    'LABEL dir=$APP',
    'USER ${APP:-x}',
    'VOLUME ["$APP/v"]',
    'CMD echo $APP',
  ]);
  assert.deepEqual(c.Env, [
    'PATH=/usr/bin:/bin:/opt/bin',
    'APP=/srv/app',
    'OLD=/usr/bin:/bin',
    'EMPTY=fallback',
    'ALT=set',
    'NONE=',
    'LIT=$APP',
    'ESC=$APP',
    'Q=/srv/app x',
  ]);
  assert.equal(c.WorkingDir, '/srv/app/data');
  assert.deepEqual(c.Labels, { dir: '/srv/app' });
  assert.equal(c.User, '/srv/app');
  assert.deepEqual(Object.keys(c.Volumes!), ['/srv/app/v']);
  assert.deepEqual(c.Cmd, ['/bin/sh', '-c', 'echo $APP']);
  assert.deepEqual(splitWords('a${X:-b c}d', { env: new Map() }), ['ab cd']);
  assert.equal(processWord('  keep  spaces ', {}), '  keep  spaces ');
  assert.throws(() => splitWords('${', { env: new Map() }), /missing variable name/);
});

test('the base config is not modified', () => {
  const base = { Env: ['A=1'] };
  applyChanges(base, ['ENV A=2']);
  assert.deepEqual(base, { Env: ['A=1'] });
});

test('HEALTHCHECK: flags, CMD forms, NONE; Go durations', () => {
  assert.deepEqual(applyChanges({}, ['HEALTHCHECK --interval=5s --timeout=1m30s --retries=3 CMD wget -q localhost']).Healthcheck, {
    Interval: 5e9,
    Timeout: 90e9,
    Retries: 3,
    Test: ['CMD-SHELL', 'wget -q localhost'],
  });
  assert.deepEqual(parseHealthcheck('CMD ["true"]'), { Test: ['CMD', 'true'] });
  assert.deepEqual(parseHealthcheck('NONE'), { Test: ['NONE'] });
  assert.throws(() => parseHealthcheck('--interval=5s NONE'), /takes no other arguments/);
  assert.throws(() => parseHealthcheck('RUN true'), /Unknown type "RUN" in HEALTHCHECK/);
  assert.throws(() => parseHealthcheck('--bogus=1 CMD true'), /Unknown flag: bogus/);
  assert.throws(() => parseHealthcheck('--interval=10us CMD true'), /cannot be less than 1ms/);
  assert.equal(parseGoDuration('1h2m3.5s'), 3723.5e9);
  assert.equal(parseGoDuration('250ms'), 250e6);
  assert.throws(() => parseGoDuration('5'), /invalid duration/);
  assert.throws(() => parseGoDuration('5x'), /invalid duration/);
});
