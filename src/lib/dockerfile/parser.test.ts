import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDockerfile, splitFlags, type ParsedInstruction } from './parser.js';
import { processWord, splitWords } from './words.js';
import { checkFlags, neededStages, splitStages, targetStage, parseArgDecls } from './stages.js';
import { goDuration, goQuoteList, healthcheckComment, nopCmd, runCmdWithArgs, createdBy } from './created-by.js';

const brief = (i: ParsedInstruction) => [i.keyword, i.args, i.line];

test('a plain Dockerfile: keywords case-insensitive, odd spacing, line numbers', () => {
  const df = parseDockerfile('FROM busybox\n\n  run   echo   hi  \ncmd ["sh"]\n');
  assert.deepEqual(df.instructions.map(brief), [
    ['from', 'busybox', 1],
    ['run', 'echo   hi', 3],
    ['cmd', '["sh"]', 4],
  ]);
  assert.deepEqual(df.instructions[2]!.json, ['sh']);
  assert.equal(df.instructions[1]!.json, null);
  assert.equal(df.escape, '\\');
});

test('continuations, comments inside them, empty continuation lines', () => {
  const df = parseDockerfile(['FROM x', 'RUN echo a \\', '# a comment', '    && echo b \\', '', '  && echo c', 'CMD x'].join('\n'));
  const run = df.instructions[1]!;
  assert.equal(run.args, 'echo a     && echo b   && echo c');
  assert.equal(run.line, 2);
  assert.equal(run.endLine, 6);
  assert.equal(df.instructions[2]!.line, 7);
  assert.match(df.warnings[0]!, /Empty continuation line/);
});

test('a continuation at the end of the file; backslash with trailing spaces', () => {
  const df = parseDockerfile('FROM x\nRUN echo a \\   \n');
  assert.equal(df.instructions[1]!.args, 'echo a');
});

test('JSON form across continuations; invalid JSON is the shell form', () => {
  const df = parseDockerfile('FROM x\nCMD ["echo", \\\n  "hi"]\nENTRYPOINT [not json]\nRUN ["a", 1]\n');
  assert.deepEqual(df.instructions[1]!.json, ['echo', 'hi']);
  assert.equal(df.instructions[2]!.json, null);
  assert.equal(df.instructions[3]!.json, null);
});

test('escape directive (backtick), syntax directive, directives end at the first other line', () => {
  const df = parseDockerfile('# syntax=docker/dockerfile:1\n# escape=`\nFROM x\nRUN echo a `\n  b\nRUN echo c\\\n');
  assert.equal(df.escape, '`');
  assert.equal(df.syntax, 'docker/dockerfile:1');
  assert.equal(df.instructions[1]!.args, 'echo a   b');
  assert.equal(df.instructions[2]!.args, 'echo c\\');
  // After a blank line, `# escape=` is a comment.
  assert.equal(parseDockerfile('\n# escape=`\nFROM x\nRUN a \\\n b').escape, '\\');
  assert.equal(parseDockerfile('FROM x\n# escape=`\n').escape, '\\');
  assert.throws(() => parseDockerfile('# escape=x\nFROM y'), /dockerfile parse error on line 1: invalid escape token 'x'/);
  assert.throws(() => parseDockerfile('# escape=`\n# escape=\\\nFROM y'), /only one escape parser directive/);
});

test('CRLF and BOM', () => {
  const df = parseDockerfile('\ufeffFROM x\r\nRUN echo a \\\r\n  b\r\nLABEL a=b\r\n');
  assert.deepEqual(df.instructions.map(brief), [
    ['from', 'x', 1],
    ['run', 'echo a   b', 2],
    ['label', 'a=b', 4],
  ]);
});

test('a file of only comments, an empty file', () => {
  assert.equal(parseDockerfile('# one\n   # two\n\n').instructions.length, 0);
  assert.equal(parseDockerfile('').instructions.length, 0);
  assert.throws(() => splitStages(parseDockerfile('# only\n')), /file with no instructions/);
});

test('unknown instructions name the line', () => {
  assert.throws(() => parseDockerfile('FROM x\n\nFROBNICATE now\n'), (e: Error) => e.message === 'dockerfile parse error on line 3: unknown instruction: FROBNICATE');
  assert.throws(() => parseDockerfile('FROM x\nrun-it x'), /line 2: unknown instruction: RUN-IT/);
});

test('flags: values, bare flags, "--" ends them; unknown flags refused per instruction', () => {
  const df = parseDockerfile('FROM --platform=linux/amd64 x AS b\nCOPY --from=b --chown=1:2 --link a /b\nRUN --network=none -- --version\n');
  assert.deepEqual(df.instructions[0]!.flags, [{ name: 'platform', value: 'linux/amd64' }]);
  assert.equal(df.instructions[0]!.args, 'x AS b');
  assert.deepEqual(df.instructions[1]!.flags, [{ name: 'from', value: 'b' }, { name: 'chown', value: '1:2' }, { name: 'link', value: null }]);
  assert.equal(df.instructions[1]!.args, 'a /b');
  assert.equal(df.instructions[2]!.args, '--version');
  assert.deepEqual(splitFlags('--a=1 rest --b'), { flags: [{ name: 'a', value: '1' }], rest: 'rest --b' });
  // CMD does not take flags: the words stay arguments.
  assert.equal(parseDockerfile('FROM x\nCMD --help').instructions[1]!.args, '--help');
  assert.throws(() => checkFlags(parseDockerfile('FROM x\nCOPY --bogus=1 a b').instructions[1]!), /line 2: unknown flag: bogus/);
});

test('heredocs: RUN and COPY, quoted (no expansion), <<- strips tabs, several on a line', () => {
  const df = parseDockerfile(['FROM x', 'RUN <<EOF', 'echo one', '# not a comment', 'echo two \\', 'EOF', 'COPY <<-"A" <<B /dst/', '\t\tliteral $X', '\tA', 'b $Y', 'B', 'CMD ["sh"]'].join('\n'));
  const run = df.instructions[1]!;
  assert.equal(run.args, '<<EOF');
  assert.deepEqual(run.heredocs, [{ name: 'EOF', content: 'echo one\n# not a comment\necho two \\\n', expand: true }]);
  const copy = df.instructions[2]!;
  assert.deepEqual(copy.heredocs, [
    { name: 'A', content: 'literal $X\n', expand: false },
    { name: 'B', content: 'b $Y\n', expand: true },
  ]);
  assert.equal(df.instructions[3]!.line, 12);
  assert.throws(() => parseDockerfile('FROM x\nRUN <<EOF\necho'), /line 2: unterminated heredoc EOF/);
  // Not a heredoc on other instructions.
  assert.equal(parseDockerfile('FROM x\nLABEL a=<<EOF').instructions[1]!.heredocs.length, 0);
});

test('ENV with no value is an error; legacy form', () => {
  const env = parseDockerfile('FROM x\nENV FOO\n').instructions[1]!;
  assert.equal(env.args, 'FOO');
  assert.throws(() => splitStages(parseDockerfile('RUN x')), /no build stage/);
});

test('stages: names, targets, needed stages, meta args', () => {
  const df = parseDockerfile(['ARG BASE=busybox', 'FROM $BASE AS build', 'RUN make', 'FROM busybox AS unused', 'RUN sleep 1', 'FROM build AS test', 'FROM busybox', 'COPY --from=build /a /a', 'COPY --from=0 /b /b'].join('\n'));
  const plan = splitStages(df);
  assert.equal(plan.metaArgs.length, 1);
  assert.deepEqual(plan.stages.map((s) => s.name ?? null), ['build', 'unused', 'test', null]);
  assert.deepEqual(neededStages(plan, targetStage(plan)), [0, 3]);
  assert.deepEqual(neededStages(plan, targetStage(plan, 'test')), [0, 2]);
  assert.deepEqual(neededStages(plan, targetStage(plan, 'UNUSED')), [1]);
  assert.throws(() => targetStage(plan, 'nope'), /failed to reach build target nope/);
  assert.throws(() => splitStages(parseDockerfile('FROM a AS 1x')), /invalid name for build stage/);
  assert.throws(() => splitStages(parseDockerfile('FROM a b')), /FROM requires either one or three arguments/);
  assert.deepEqual(parseArgDecls('A B=2 C=${A:-x}', new Map()), [['A', undefined], ['B', '2'], ['C', 'x']]);
});

test('substitution: the ${VAR} family, quotes and escapes as Docker', () => {
  const env = new Map([['A', 'a'], ['E', ''], ['SP', 'x y']]);
  const w = (s: string) => processWord(s, { env });
  assert.equal(w('$A ${A}'), 'a a');
  assert.equal(w('${A:-d} ${E:-d} ${U:-d}'), 'a d d');
  assert.equal(w('${A-d} ${E-d} ${U-d}'), 'a  d');
  assert.equal(w('${A:+p} ${E:+p} ${U:+p}'), 'p  ');
  assert.equal(w('${A+p} ${E+p} ${U+p}'), 'p p ');
  assert.throws(() => w('${U:?must be set}'), /U: must be set/);
  assert.equal(w('${A:?x}'), 'a');
  assert.equal(w("'$A' \"$A\" \\$A"), '$A a $A');
  assert.equal(w('"\\n \\$A \\" \\\\"'), '\\n $A " \\');
  assert.equal(w('$'), '$');
  assert.equal(w('a$-b'), 'a$-b');
  assert.equal(w('${A:-${SP}}'), 'a');
  assert.equal(w('${U:-${SP}}'), 'x y');
  assert.equal(w('$Unset/x'), '/x');
  assert.deepEqual(splitWords('$SP "$SP"', { env }), ['x y', 'x y']); // expansions never split
  assert.equal(processWord('`$A', { env, escape: '`' }), '$A');
});

test('created_by as the classic builder writes it', () => {
  assert.equal(createdBy(nopCmd(['/bin/sh', '-c'], `CMD ${goQuoteList(['sh'])}`)), '/bin/sh -c #(nop)  CMD ["sh"]');
  assert.equal(goQuoteList(['/bin/sh', '-c', 'echo "hi"']), '["/bin/sh" "-c" "echo \\"hi\\""]');
  assert.equal(createdBy(runCmdWithArgs(['/bin/sh', '-c', 'echo $GREETING'], [['GREETING', 'yo']])), '|1 GREETING=yo /bin/sh -c echo $GREETING');
  assert.equal(createdBy(runCmdWithArgs(['/bin/sh', '-c', 'x'], [['B', '2'], ['A', '1']])), '|2 A=1 B=2 /bin/sh -c x');
  assert.equal(goDuration(30e9), '30s');
  assert.equal(goDuration(90e9), '1m30s');
  assert.equal(goDuration(3600e9), '1h0m0s');
  assert.equal(goDuration(1.5e9), '1.5s');
  assert.equal(goDuration(5e6), '5ms');
  assert.equal(healthcheckComment({ Test: ['CMD-SHELL', 'true'], Interval: 5e9, Retries: 3 }), `&{["CMD-SHELL" "true"] "5s" "0s" "0s" '\\x03'}`);
});

import { applyMeta } from './meta-steps.js';

test('metadata steps: config and history comments as the classic builder', () => {
  const ins = (t: string) => parseDockerfile(t).instructions[0]!;
  const env = new Map([['V', '1.2'], ['HOME', '/root']]);
  const base = { Env: ['PATH=/bin'], Cmd: ['sh'] };
  let r = applyMeta(base, ins('ENV A=$V B="x y"'), env, '\\', false);
  assert.deepEqual(r.config.Env, ['PATH=/bin', 'A=1.2', 'B=x y']);
  assert.equal(r.comment, 'ENV A=1.2 B=x y');
  r = applyMeta(base, ins('CMD echo hi'), env, '\\', false);
  assert.equal(r.comment, 'CMD ["/bin/sh" "-c" "echo hi"]');
  r = applyMeta(base, ins('ENTRYPOINT ["top"]'), env, '\\', false);
  assert.equal(r.config.Cmd, null);
  assert.equal(applyMeta(base, ins('ENTRYPOINT ["top"]'), env, '\\', true).config.Cmd![0], 'sh');
  assert.equal(applyMeta(base, ins('VOLUME /a $HOME'), env, '\\', false).comment, 'VOLUME [/a /root]');
  assert.equal(applyMeta(base, ins('EXPOSE 80 ${V:+53/udp}'), env, '\\', false).comment, 'EXPOSE 80 53/udp');
  assert.equal(applyMeta(base, ins('SHELL ["/bin/ash", "-eo", "pipefail", "-c"]'), env, '\\', false).comment, 'SHELL [/bin/ash -eo pipefail -c]');
  assert.throws(() => applyMeta(base, ins('SHELL /bin/bash'), env, '\\', false), /SHELL requires the arguments to be in JSON form/);
  assert.equal(applyMeta({ WorkingDir: '/a' }, ins('WORKDIR b/../c'), env, '\\', false).config.WorkingDir, '/a/c');
  assert.equal(applyMeta(base, ins('ONBUILD RUN echo $V'), env, '\\', false).config.OnBuild![0], 'RUN echo $V');
  assert.throws(() => applyMeta(base, ins('ONBUILD ONBUILD RUN x'), env, '\\', false), /Chaining ONBUILD/);
  assert.equal(applyMeta(base, ins('HEALTHCHECK --interval=5s --retries=3 CMD true'), env, '\\', false).comment, `HEALTHCHECK &{["CMD-SHELL" "true"] "5s" "0s" "0s" '\\x03'}`);
  assert.equal(applyMeta(base, ins('MAINTAINER Jane <j@x>'), env, '\\', false).author, 'Jane <j@x>');
  assert.throws(() => applyMeta(base, ins('ENV FOO'), env, '\\', false), /ENV must have two arguments/);
});

// A corpus of Dockerfiles written here: each with the instructions (keyword, args) the parser must give.
const CORPUS: [string, string, [string, string][]][] = [
  ['tabs and spaces around keywords', '\tFROM\tbusybox  \n   RUN\t\techo a\n', [['from', 'busybox'], ['run', 'echo a']]],
  ['lower and mixed case keywords', 'from x\nRun a\nCmD ["b"]', [['from', 'x'], ['run', 'a'], ['cmd', '["b"]']]],
  ['comment after instructions is a comment only at line start', 'FROM x\nRUN echo # not a comment\n  # a comment\n', [['from', 'x'], ['run', 'echo # not a comment']]],
  ['several continuations', 'FROM x\nRUN a \\\n b \\\n c \\\n d', [['from', 'x'], ['run', 'a  b  c  d']]],
  ['continuation then comment then blank then text', 'FROM x\nRUN a \\\n# c1\n\n# c2\n b', [['from', 'x'], ['run', 'a  b']]],
  ['JSON with escapes', 'FROM x\nCMD ["echo", "a \\"quoted\\" word", "\\\\back"]', [['from', 'x'], ['cmd', '["echo", "a \\"quoted\\" word", "\\\\back"]']]],
  ['JSON with a trailing comma is shell form', 'FROM x\nCMD ["a",]', [['from', 'x'], ['cmd', '["a",]']]],
  ['empty JSON array', 'FROM x\nENTRYPOINT []', [['from', 'x'], ['entrypoint', '[]']]],
  ['instruction without arguments', 'FROM x\nCMD\n', [['from', 'x'], ['cmd', '']]],
  ['ONBUILD keeps its trigger text', 'FROM x\nONBUILD  RUN  echo  hi', [['from', 'x'], ['onbuild', 'RUN  echo  hi']]],
  ['escape char inside single quotes is still a continuation', "FROM x\nRUN echo 'a \\\nb'", [['from', 'x'], ['run', "echo 'a b'"]]],
  ['backtick escape leaves backslashes alone', '# escape=`\nFROM x\nRUN dir c:\\ `\n  && echo \\done', [['from', 'x'], ['run', 'dir c:\\   && echo \\done']]],
  ['CR-only line ends', 'FROM x\rRUN a\r', [['from', 'x'], ['run', 'a']]],
  ['ENV forms', 'FROM x\nENV A=1 B="2 3"\nENV C 4 5', [['from', 'x'], ['env', 'A=1 B="2 3"'], ['env', 'C 4 5']]],
  ['HEALTHCHECK keeps flags separate', 'FROM x\nHEALTHCHECK --interval=1s CMD true', [['from', 'x'], ['healthcheck', 'CMD true']]],
  ['unknown directive is a comment and ends directives', '# foo=bar\n# escape=`\nFROM x\nRUN a \\\n b', [['from', 'x'], ['run', 'a  b']]],
  ['a lone escape line joins nothing', 'FROM x\nRUN a \\\n\\\n b', [['from', 'x'], ['run', 'a  b']]],
];

for (const [name, text, want] of CORPUS) {
  test(`corpus: ${name}`, () => {
    assert.deepEqual(parseDockerfile(text).instructions.map((i) => [i.keyword, i.args]), want);
  });
}
