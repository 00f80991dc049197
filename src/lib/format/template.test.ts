// Tests of the --format template engine. The "oracle" cases were run through the real docker CLI
// 28.2 (`docker volume inspect -f TEMPLATE`, Go's text/template with docker's functions) against a
// volume named orc with labels a=x, b=2; their expected strings are Go's output verbatim.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileTemplate, renderTemplate, TemplateError } from './template.js';
import { headerFuncs } from './template-funcs.js';
import { InvalidParameterError } from '../../errors.js';

const volume = { Name: 'orc', Driver: 'local', Labels: { a: 'x', b: '2' } };

const oracle: [string, string][] = [
  ["{{.Labels}}", "map[a:x b:2]"],
  ["{{json .Labels}}", "{\"a\":\"x\",\"b\":\"2\"}"],
  ["{{range $k, $v := .Labels}}{{$k}}={{$v}};{{end}}", "a=x;b=2;"],
  ["{{printf \"%5.2f|%-4s|%q|%x|%v|%05d|%+d|%8.3e|%g|%G|%t|%c|%U|%o|%b|%X\" 3.14159 \"ab\" \"q\" \"hi\" .Labels 42 7 1234.5678 0.00001234 1e21 true 65 9731 8 5 255}}", " 3.14|ab  |\"q\"|6869|map[a:x b:2]|00042|+7|1.235e+03|1.234e-05|1E+21|true|A|U+2603|10|101|FF"],
  ["{{index .Labels \"nope\"}}|", "|"],
  ["{{print 1 2 \"a\" 3 true false}}", "1 2a3 true false"],
  ["{{len \"é\"}} {{slice \"abcdef\" 1 3}} {{html \"<a href='x'>&\\\"\"}} {{js \"a'b<c>\\\"d\"}} {{urlquery \"a b&c/é\"}}", "2 bc &lt;a href=&#39;x&#39;&gt;&amp;&#34; a\\'b\\u003Cc\\u003E\\\"d a+b%26c%2F%C3%A9"],
  ["{{title \"hello-world foo_bar o'neil 3rd x.y\"}}", "Hello-World Foo_bar O'Neil 3rd X.Y"],
  ["{{range $i := 3}}{{$i}}{{end}} {{range 5}}{{if eq . 3}}{{break}}{{end}}{{.}}{{end}}", "012 012"],
  ["{{with $x := .Name}}{{$x}}{{end}} {{if and 1 0}}a{{else}}b{{end}} {{or 0 \"\" \"z\"}} {{and 1 \"q\"}} {{not 0}}", "orc b z q true"],
  ["{{printf \"%s\" 5}} {{printf \"%d\" \"x\"}} {{printf \"%d %d\" 1}} {{printf \"%d\" 1 2}} {{printf \"%!\"}} {{printf \"%z\" 1}}", "%!s(int=5) %!d(string=x) 1 %!d(MISSING) 1%!(EXTRA int=2) %!!(MISSING) %!z(int=1)"],
  ["{{printf \"%q\" \"tab\tnl\\u0001é\"}} {{printf \"%x\" \"héllo\"}} {{printf \"% x\" \"hi\"}} {{printf \"%10s|%-10s|%.2s\" \"ab\" \"cd\" \"efgh\"}}", "\"tab\\tnl\\x01é\" 68c3a96c6c6f 68 69         ab|cd        |ef"],
  ["{{lt 1 2}} {{le 2 2}} {{gt \"b\" \"a\"}} {{ne 1 2}} {{eq 1 2 1}}", "true true true true true"],
  ["{{printf \"%v\" (split \"a,b,,c\" \",\")}} {{join (split \"a b\" \" \") \"+\"}} {{upper \"éa\"}} {{truncate \"abc\" 5}} {{pad \"\" 2 2}}|", "[a b  c] a+b ÉA abc |"],
  ["{{- \"  trimmed  \" -}}|", "  trimmed  |"],
  ["{{printf \"%e %E %.0e %g %g %g\" 0.0 123456.0 15.0 100000.0 1000000.0 0.000012345}}", "0.000000e+00 1.234560E+05 2e+01 100000 1e+06 1.2345e-05"],
];

test('renders what Go text/template with docker functions renders (oracle cases)', () => {
  for (const [tpl, want] of oracle) assert.equal(renderTemplate(tpl, volume), want, tpl);
});

const data = {
  ID: 'abc',
  Names: ['a', 'b'],
  M: { z: 1, a: 'x', n: null },
  Nested: { A: { B: 'deep' } },
  Empty: [],
  Nul: null,
  Zero: 0,
  Frac: 1.5,
  Big: 1234567.5,
};

test('fields, nested fields, dot and missing keys', () => {
  assert.equal(renderTemplate('{{.ID}}', data), 'abc');
  assert.equal(renderTemplate('{{.Nested.A.B}}', data), 'deep');
  assert.equal(renderTemplate('{{.}}', 'plain'), 'plain');
  assert.equal(renderTemplate('{{.Missing}}', data), '<no value>');
  // A missing key's fields are missing too (Go's mapInvalid), not an error.
  assert.equal(renderTemplate('{{.Missing.X.Y}}', data), '<no value>');
  assert.equal(renderTemplate('{{$.ID}}-{{$.Nested.A.B}}', data), 'abc-deep');
});

test('Go value printing: slices, maps with sorted keys, nil, numbers', () => {
  assert.equal(renderTemplate('{{.Names}}', data), '[a b]');
  assert.equal(renderTemplate('{{.M}}', data), 'map[a:x n:<nil> z:1]');
  assert.equal(renderTemplate('{{.Nul}}', data), '<nil>');
  assert.equal(renderTemplate('{{.Empty}}', data), '[]');
  assert.equal(renderTemplate('{{.Frac}} {{.Big}} {{.Zero}}', data), '1.5 1.2345675e+06 0');
  assert.equal(renderTemplate('{{.X}}', { X: [{ a: [1, 2] }, null] }), '[map[a:[1 2]] <nil>]');
});

test('json keeps the wire order, escapes no HTML and prints null for missing', () => {
  assert.equal(renderTemplate('{{json .M}}', data), '{"z":1,"a":"x","n":null}');
  assert.equal(renderTemplate('{{json .}}', { a: '<&>' }), '{"a":"<&>"}');
  assert.equal(renderTemplate('{{json .Missing}}', data), 'null');
  assert.equal(renderTemplate('{{.Names | json}}', data), '["a","b"]');
});

test('index on maps and arrays, nested keys, and the errors Go gives', () => {
  assert.equal(renderTemplate('{{index .M "a"}}', data), 'x');
  assert.equal(renderTemplate('{{index .Names 1}}', data), 'b');
  assert.equal(renderTemplate('{{index . "Nested" "A" "B"}}', data), 'deep');
  assert.equal(renderTemplate('{{index .Nested "nope"}}', data), '<no value>');
  assert.throws(() => renderTemplate('{{index .Names 5}}', data), /executing "" at <index .Names 5>: error calling index: index out of range: 5/);
  assert.throws(() => renderTemplate('{{index .Missing "k"}}', data), /index of untyped nil/);
});

test('range rebinds dot, binds variables, iterates maps in key order, and takes else', () => {
  assert.equal(renderTemplate('{{range .Names}}<{{.}}>{{end}}', data), '<a><b>');
  assert.equal(renderTemplate('{{range $i, $n := .Names}}{{$i}}:{{$n}},{{end}}', data), '0:a,1:b,');
  assert.equal(renderTemplate('{{range $n := .Names}}{{$n}}{{end}}', data), 'ab');
  assert.equal(renderTemplate('{{range $k, $v := .M}}{{$k}}={{$v}} {{end}}', data), 'a=x n=<nil> z=1 ');
  assert.equal(renderTemplate('{{range .Empty}}x{{else}}none{{end}}', data), 'none');
  assert.equal(renderTemplate('{{range .Missing}}x{{else}}none{{end}}', data), 'none');
  assert.equal(renderTemplate('{{range .Names}}{{$.ID}}{{end}}', data), 'abcabc');
  assert.equal(renderTemplate('{{range .Names}}{{if eq . "a"}}{{continue}}{{end}}{{.}}{{end}}', data), 'b');
  assert.equal(renderTemplate('{{range 4}}{{if eq . 2}}{{break}}{{end}}{{.}}{{end}}', data), '01');
  assert.throws(() => renderTemplate('{{range .ID}}{{end}}', data), /range can't iterate over abc/);
});

test('if / else if / else, with, and/or/not', () => {
  const t = '{{if .Empty}}e{{else if .Zero}}z{{else if .ID}}id{{else}}none{{end}}';
  assert.equal(renderTemplate(t, data), 'id');
  assert.equal(renderTemplate('{{if .Missing}}y{{else}}n{{end}}', data), 'n');
  assert.equal(renderTemplate('{{with .Nested.A}}{{.B}}{{else}}no{{end}}', data), 'deep');
  assert.equal(renderTemplate('{{with .Nul}}{{.B}}{{else}}no{{end}}', data), 'no');
  assert.equal(renderTemplate('{{with .Nul}}x{{else with .ID}}{{.}}{{end}}', data), 'abc');
  assert.equal(renderTemplate('{{if and .ID (not .Empty)}}y{{end}}', data), 'y');
  // and/or stop early: the failing index is never evaluated.
  assert.equal(renderTemplate('{{or .ID (index .Names 9)}}', data), 'abc');
  assert.equal(renderTemplate('{{and .Zero (index .Names 9)}}', data), '0');
});

test('variables: declare, assign in a range, scope ends with the block', () => {
  assert.equal(renderTemplate('{{$x := .ID}}{{$x}}{{$x = "q"}}{{$x}}', data), 'abcq');
  assert.equal(renderTemplate('{{$n := 0}}{{range .Names}}{{$n = .}}{{end}}{{$n}}', data), 'b');
  assert.throws(() => renderTemplate('{{if .ID}}{{$y := 1}}{{end}}{{$y}}', data), /undefined variable "\$y"/);
});

test('println, printf, print, pipelines and parentheses', () => {
  assert.equal(renderTemplate('{{println .ID .Names}}', data), 'abc [a b]\n');
  assert.equal(renderTemplate('{{printf "%s/%d" .ID 3}}', data), 'abc/3');
  assert.equal(renderTemplate('{{.ID | printf "<%s>"}}', data), '<abc>');
  assert.equal(renderTemplate('{{.ID | upper | printf "%s!"}}', data), 'ABC!');
  assert.equal(renderTemplate('{{(index .Nested "A").B}}', data), 'deep');
  assert.equal(renderTemplate('{{printf "%d" (len .Names)}}', data), '2');
});

test('docker functions: join, split, upper, lower, title, truncate, pad', () => {
  assert.equal(renderTemplate('{{join .Names ", "}}', data), 'a, b');
  assert.equal(renderTemplate('{{join (split "x:y:z" ":") "/"}}', data), 'x/y/z');
  assert.equal(renderTemplate('{{upper .ID}} {{lower "ABC"}} {{title "a b"}}', data), 'ABC abc A B');
  assert.equal(renderTemplate('{{truncate .ID 2}}|{{truncate .ID 9}}', data), 'ab|abc');
  assert.equal(renderTemplate('[{{pad .ID 1 2}}][{{pad "" 3 3}}]', data), '[ abc  ][]');
  assert.throws(() => renderTemplate('{{join .ID ","}}', data), /expected \[\]string; got string/);
  assert.throws(() => renderTemplate('{{truncate .ID "x"}}', data), /expected int; got string/);
});

test('trim markers remove the whitespace beside the action', () => {
  assert.equal(renderTemplate('a \n {{- .ID -}} \n b', data), 'aabcb');
  assert.equal(renderTemplate('a {{- /* comment */ -}} b', data), 'ab');
  assert.equal(renderTemplate('{{-3}}', data), '-3');
  assert.equal(renderTemplate('x {{.ID -}}\n\ty', data), 'x abcy');
});

test('literals: strings with escapes, raw strings, chars, numbers, booleans', () => {
  assert.equal(renderTemplate('{{"a\\tb"}}|{{`r\\n`}}|{{\'x\'}}|{{0x10}}|{{true}}', data), 'a\tb|r\\n|120|16|true');
});

test('methods: a function-valued field is called with the arguments', () => {
  const row = { Labels: 'a=1', Label: (k: string) => (k === 'a' ? '1' : '') };
  assert.equal(renderTemplate('{{.Label "a"}}|{{.Label "b"}}', row), '1|');
  assert.equal(renderTemplate('{{"a" | .Label}}', row), '1');
  class Ctx {
    get ID() {
      return 'id1';
    }
  }
  assert.equal(renderTemplate('{{.ID}} {{.toString}}', new Ctx()), 'id1 <no value>');
});

test('parse errors read as Go reports them and are InvalidParameterErrors', () => {
  const cases: [string, string][] = [
    ['{{foo}}', 'template: :1: function "foo" not defined'],
    ['{{.ID', 'template: :1: unclosed action'],
    ['{{if .ID}}x', 'template: :1: unexpected EOF'],
    ['x\n{{end}}', 'template: :2: unexpected {{end}}'],
    ['{{}}', 'template: :1: missing value for command'],
    ['{{$y}}', 'template: :1: undefined variable "$y"'],
    ['{{"abc}}', 'template: :1: unterminated quoted string'],
    ['{{break}}', 'template: :1: {{break}} outside {{range}}'],
    ['{{.ID | 3}}', 'template: :1: non executable command in pipeline stage 2'],
    ['{{3x}}', 'template: :1: bad number syntax: "3x"'],
    ['{{define "x"}}{{end}}', 'template: :1: {{define}} is not supported in --format templates'],
  ];
  for (const [tpl, msg] of cases) {
    assert.throws(
      () => renderTemplate(tpl, data),
      (e: unknown) => e instanceof TemplateError && e instanceof InvalidParameterError && e.message === msg,
      tpl,
    );
  }
});

test('execution errors name the line, column and node as Go does', () => {
  // null stands for Docker's nil maps: their fields are missing, not an error.
  assert.equal(renderTemplate('{{.Nul.X}}', data), '<no value>');
  assert.throws(() => renderTemplate('ab\n {{.Names.X}}', data), { message: 'template: :2:3: executing "" at <.Names.X>: can\'t evaluate field X in type []interface {}' });
  assert.throws(() => renderTemplate('{{.ID 1}}', data), /ID is not a method but has arguments/);
  assert.throws(() => renderTemplate('{{"x" | .ID}}', data), /ID is not a method but has arguments/);
  assert.throws(() => renderTemplate('{{join .Names}}', data), /wrong number of args for join: want 2 got 1/);
  assert.throws(() => renderTemplate('{{.}}', () => 1), /can't print \. of type func/);
});

test('header functions return the title whatever the row function would do', () => {
  const t = compileTemplate('{{upper .ID}}\t{{json .Labels}}\t{{truncate .Names 3}}');
  assert.equal(t.execute({ ID: 'CONTAINER ID', Labels: 'LABELS', Names: 'NAMES' }, headerFuncs), 'CONTAINER ID\tLABELS\tNAMES');
  assert.equal(t.execute({ ID: 'x', Labels: {}, Names: 'abcdef' }), 'X\t{}\tabc');
});
