// Lexer and parser for the Go text/template subset `--format` accepts: actions with fields, variables,
// literals, function calls, pipelines and parentheses; if/else if/with/range/break/continue/end;
// comments; `{{-`/`-}}` trimming. The tree mirrors text/template/parse so errors read as Go's do.
import { InvalidParameterError } from '../../errors.js';

/** A bad template, or a failure while executing one; messages follow Go's ("template: :1: ..."). */
export class TemplateError extends InvalidParameterError {}

export type Arg =
  | { k: 'field'; chain: string[]; pos: number } // `.` has an empty chain
  | { k: 'var'; name: string; chain: string[]; pos: number }
  | { k: 'ident'; name: string; pos: number }
  | { k: 'lit'; value: string | number | boolean | null; text: string; pos: number }
  | { k: 'pipe'; pipe: Pipe; chain: string[]; pos: number };

export interface Cmd {
  args: Arg[];
  pos: number;
}

export interface Pipe {
  decl: string[];
  /** `$x = v` (assignment to an existing variable) rather than `$x := v`. */
  assign: boolean;
  cmds: Cmd[];
  pos: number;
}

export type Node =
  | { t: 'text'; text: string }
  | { t: 'action'; pipe: Pipe; pos: number }
  | ControlNode
  | { t: 'break' | 'continue'; pos: number };

export interface ControlNode {
  t: 'if' | 'with' | 'range';
  pipe: Pipe;
  list: Node[];
  elseList: Node[] | null;
  pos: number;
}

export interface Tree {
  text: string;
  root: Node[];
}

type TokType = 'field' | 'var' | 'ident' | 'keyword' | 'string' | 'number' | 'char' | 'bool' | 'nil' | 'pipe' | 'lparen' | 'rparen' | 'declare' | 'assign' | 'comma';

interface Tok {
  type: TokType;
  text: string;
  pos: number;
  end: number;
  /** field/var: the `.A.B` chain; string: the unquoted value; number/char: the value. */
  chain?: string[];
  value?: string | number;
}

type Item = { kind: 'text'; text: string } | { kind: 'action'; toks: Tok[]; pos: number };

const KEYWORDS = new Set(['if', 'else', 'end', 'range', 'with', 'define', 'template', 'block', 'break', 'continue']);
const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isAlnum = (c: string | undefined) => c !== undefined && /^[\p{L}\p{Nd}_]$/u.test(c);

export function lineOf(text: string, pos: number): number {
  let n = 1;
  for (let i = 0; i < pos && i < text.length; i++) if (text[i] === '\n') n++;
  return n;
}

function parseError(text: string, pos: number, msg: string): TemplateError {
  return new TemplateError(`template: :${lineOf(text, pos)}: ${msg}`);
}

const ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'" };

/** strconv.Unquote for the body of a "..." or '...' literal. */
function unescape(body: string, fail: () => never): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++i];
    if (e === undefined) fail();
    if (ESCAPES[e] !== undefined) out += ESCAPES[e];
    else if (e === 'x' || e === 'u' || e === 'U') {
      const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + n);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== n) fail();
      const cp = parseInt(hex, 16);
      // \x is a byte in Go; bytes >= 0x80 are taken as Latin-1 here rather than raw bytes.
      out += String.fromCodePoint(cp);
      i += n;
    } else if (/[0-7]/.test(e)) {
      const oct = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(oct)) fail();
      out += String.fromCharCode(parseInt(oct, 8));
      i += 2;
    } else fail();
  }
  return out;
}

const NUMBER_RE = /^[+-]?(?:0[xX][0-9a-fA-F_]+(?:\.[0-9a-fA-F_]*)?(?:[pP][+-]?\d+)?|0[bB][01_]+|0[oO][0-7_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?)/;

function parseNumber(text: string): number | null {
  let t = text.replace(/_/g, '');
  let neg = false;
  if (t[0] === '+' || t[0] === '-') {
    neg = t[0] === '-';
    t = t.slice(1);
  }
  let v: number;
  if (/^0[xX][0-9a-fA-F]+$/.test(t)) v = parseInt(t.slice(2), 16);
  else if (/^0[bB][01]+$/.test(t)) v = parseInt(t.slice(2), 2);
  else if (/^0[oO][0-7]+$/.test(t)) v = parseInt(t.slice(2), 8);
  else if (/^0[0-7]+$/.test(t)) v = parseInt(t.slice(1), 8);
  else if (/^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) v = Number(t);
  else return null;
  return neg ? -v : v;
}

/** Splits a template into text and the tokens of each action, applying the trim markers. */
function lex(text: string): Item[] {
  const items: Item[] = [];
  let i = 0;
  let trimNext = false;
  const pushText = (s: string) => {
    if (trimNext) s = s.replace(/^[ \t\r\n]+/, '');
    trimNext = false;
    if (s) items.push({ kind: 'text', text: s });
  };
  while (i < text.length) {
    const open = text.indexOf('{{', i);
    if (open < 0) {
      pushText(text.slice(i));
      break;
    }
    let p = open + 2;
    let before = text.slice(i, open);
    if (text[p] === '-' && isSpace(text[p + 1])) {
      before = before.replace(/[ \t\r\n]+$/, '');
      p += 2;
    }
    pushText(before);
    // A comment: {{/* ... */}}, nothing else in the action.
    if (text.startsWith('/*', p)) {
      const close = text.indexOf('*/', p + 2);
      if (close < 0) throw parseError(text, open, 'unclosed comment');
      let q = close + 2;
      if (text.startsWith(' -}}', q)) {
        trimNext = true;
        q += 4;
      } else if (text.startsWith('}}', q)) q += 2;
      else throw parseError(text, open, 'comment ends before closing delimiter');
      i = q;
      continue;
    }
    const toks: Tok[] = [];
    for (;;) {
      if (p >= text.length) throw parseError(text, open, 'unclosed action');
      if (text.startsWith(' -}}', p) || text.startsWith('\t-}}', p) || text.startsWith('\n-}}', p) || text.startsWith('\r-}}', p)) {
        trimNext = true;
        p += 4;
        break;
      }
      if (text.startsWith('}}', p)) {
        p += 2;
        break;
      }
      const c = text[p]!;
      if (isSpace(c)) {
        p++;
        continue;
      }
      const start = p;
      const tok = (type: TokType, end: number, extra: Partial<Tok> = {}): void => {
        toks.push({ type, text: text.slice(start, end), pos: start, end, ...extra });
        p = end;
      };
      const readChain = (q: number): { chain: string[]; end: number } => {
        const chain: string[] = [];
        while (text[q] === '.' && isAlnum(text[q + 1])) {
          let e = q + 1;
          while (isAlnum(text[e])) e++;
          chain.push(text.slice(q + 1, e));
          q = e;
        }
        return { chain, end: q };
      };
      if (c === '|') tok('pipe', p + 1);
      else if (c === '(') tok('lparen', p + 1);
      else if (c === ')') tok('rparen', p + 1);
      else if (c === ',') tok('comma', p + 1);
      else if (c === ':' && text[p + 1] === '=') tok('declare', p + 2);
      else if (c === '=') tok('assign', p + 1);
      else if (c === '"') {
        let q = p + 1;
        while (q < text.length && text[q] !== '"') {
          if (text[q] === '\\') q++;
          if (text[q] === '\n' || q >= text.length) throw parseError(text, start, 'unterminated quoted string');
          q++;
        }
        if (q >= text.length) throw parseError(text, start, 'unterminated quoted string');
        const body = text.slice(p + 1, q);
        tok('string', q + 1, { value: unescape(body, () => { throw parseError(text, start, `bad syntax for quoted string: ${text.slice(start, q + 1)}`); }) });
      } else if (c === '`') {
        const q = text.indexOf('`', p + 1);
        if (q < 0) throw parseError(text, start, 'unterminated raw quoted string');
        tok('string', q + 1, { value: text.slice(p + 1, q).replace(/\r/g, '') });
      } else if (c === "'") {
        let q = p + 1;
        while (q < text.length && text[q] !== "'") {
          if (text[q] === '\\') q++;
          if (text[q] === '\n' || q >= text.length) throw parseError(text, start, 'unterminated character constant');
          q++;
        }
        if (q >= text.length) throw parseError(text, start, 'unterminated character constant');
        const s = unescape(text.slice(p + 1, q), () => { throw parseError(text, start, `malformed character constant: ${text.slice(start, q + 1)}`); });
        if ([...s].length !== 1) throw parseError(text, start, `malformed character constant: ${text.slice(start, q + 1)}`);
        tok('char', q + 1, { value: s.codePointAt(0)! });
      } else if (c === '$') {
        let q = p + 1;
        while (isAlnum(text[q])) q++;
        const name = text.slice(p, q);
        const ch = readChain(q);
        tok('var', ch.end, { chain: ch.chain, text: name });
      } else if (c === '.' && !/[0-9]/.test(text[p + 1] ?? '')) {
        const ch = readChain(p);
        if (ch.chain.length === 0) tok('field', p + 1, { chain: [] });
        else tok('field', ch.end, { chain: ch.chain });
        if (text[p] === '.') throw parseError(text, start, `unexpected . after term "${text.slice(start, p)}"`);
      } else if (/[0-9+\-.]/.test(c)) {
        const m = NUMBER_RE.exec(text.slice(p));
        if (!m || m[0] === '' || m[0] === '+' || m[0] === '-' || isAlnum(text[p + m[0].length])) {
          let e = p + 1;
          while (isAlnum(text[e]) || text[e] === '.') e++;
          throw parseError(text, start, `bad number syntax: "${text.slice(start, e)}"`);
        }
        const v = parseNumber(m[0]);
        if (v === null) throw parseError(text, start, `bad number syntax: "${m[0]}"`);
        tok('number', p + m[0].length, { value: v });
      } else if (isAlnum(c)) {
        let q = p;
        while (isAlnum(text[q])) q++;
        const word = text.slice(p, q);
        if (word === 'true' || word === 'false') tok('bool', q);
        else if (word === 'nil') tok('nil', q);
        else if (KEYWORDS.has(word)) tok('keyword', q);
        else tok('ident', q);
      } else {
        const cp = c.codePointAt(0)!;
        throw parseError(text, start, `unrecognized character in action: U+${cp.toString(16).toUpperCase().padStart(4, '0')}${cp >= 0x20 ? ` '${c}'` : ''}`);
      }
    }
    items.push({ kind: 'action', toks, pos: open + 2 });
    i = p;
  }
  return items;
}

class Parser {
  private idx = 0;
  private vars: string[] = ['$'];
  private rangeDepth = 0;

  constructor(
    private readonly text: string,
    private readonly items: Item[],
    private readonly funcs: ReadonlySet<string>,
  ) {}

  error(pos: number, msg: string): TemplateError {
    return parseError(this.text, pos, msg);
  }

  parseRoot(): Node[] {
    const { list, term } = this.parseList();
    if (term) {
      const kw = term.toks[0]!.text;
      throw this.error(term.pos, `unexpected {{${kw}}}`);
    }
    return list;
  }

  /** Nodes up to an {{end}} or {{else}} (returned as `term`) or the end of input. */
  private parseList(): { list: Node[]; term: Extract<Item, { kind: 'action' }> | null } {
    const list: Node[] = [];
    while (this.idx < this.items.length) {
      const item = this.items[this.idx++]!;
      if (item.kind === 'text') {
        list.push({ t: 'text', text: item.text });
        continue;
      }
      const first = item.toks[0];
      if (first?.type === 'keyword') {
        switch (first.text) {
          case 'end':
          case 'else':
            return { list, term: item };
          case 'if':
          case 'with':
          case 'range':
            list.push(this.parseControl(first.text, item.toks.slice(1), item.pos));
            continue;
          case 'break':
          case 'continue':
            if (this.rangeDepth === 0) throw this.error(item.pos, `{{${first.text}}} outside {{range}}`);
            if (item.toks.length > 1) throw this.error(item.pos, `unexpected ${item.toks[1]!.text} in {{${first.text}}}`);
            list.push({ t: first.text, pos: item.pos });
            continue;
          default:
            throw this.error(item.pos, `{{${first.text}}} is not supported in --format templates`);
        }
      }
      const pipe = this.parsePipeline(item.toks, item.pos, 'command', false);
      list.push({ t: 'action', pipe, pos: item.pos });
    }
    return { list, term: null };
  }

  private parseControl(kind: 'if' | 'with' | 'range', toks: Tok[], pos: number): Node {
    const mark = this.vars.length;
    try {
      const pipe = this.parsePipeline(toks, pos, kind, kind === 'range');
      if (kind === 'range') this.rangeDepth++;
      const body = this.parseList();
      if (kind === 'range') this.rangeDepth--;
      if (!body.term) throw this.error(this.text.length, 'unexpected EOF');
      let elseList: Node[] | null = null;
      if (body.term.toks[0]!.text === 'else') {
        const rest = body.term.toks.slice(1);
        // {{else if ...}} / {{else with ...}}: a nested control that shares this one's {{end}}.
        if (rest.length > 0 && rest[0]!.type === 'keyword' && rest[0]!.text === kind) {
          elseList = [this.parseControl(rest[0]!.text as 'if' | 'with', rest.slice(1), body.term.pos)];
          return { t: kind, pipe, list: body.list, elseList, pos };
        }
        if (rest.length > 0) throw this.error(body.term.pos, `unexpected ${rest[0]!.text} in else`);
        const alt = this.parseList();
        if (!alt.term) throw this.error(this.text.length, 'unexpected EOF');
        if (alt.term.toks[0]!.text !== 'end') throw this.error(alt.term.pos, `expected end; found {{else}}`);
        if (alt.term.toks.length > 1) throw this.error(alt.term.pos, `unexpected ${alt.term.toks[1]!.text} in end`);
        elseList = alt.list;
      } else if (body.term.toks.length > 1) throw this.error(body.term.pos, `unexpected ${body.term.toks[1]!.text} in end`);
      return { t: kind, pipe, list: body.list, elseList, pos };
    } finally {
      this.vars.length = mark;
    }
  }

  private parsePipeline(toks: Tok[], pos: number, context: string, allowTwoVars: boolean): Pipe {
    let i = 0;
    const decl: string[] = [];
    let assign = false;
    // Declarations: `$x :=`, `$x =`, and in range `$k, $v :=`.
    if (toks[0]?.type === 'var' && !toks[0].chain?.length) {
      if (toks[1]?.type === 'declare' || toks[1]?.type === 'assign') {
        decl.push(toks[0].text);
        assign = toks[1].type === 'assign';
        i = 2;
      } else if (toks[1]?.type === 'comma' && toks[2]?.type === 'var' && (toks[3]?.type === 'declare' || toks[3]?.type === 'assign')) {
        if (!allowTwoVars) throw this.error(pos, `too many declarations in ${context}`);
        decl.push(toks[0].text, toks[2].text);
        assign = toks[3].type === 'assign';
        i = 4;
      }
    }
    if (assign) for (const v of decl) if (!this.vars.includes(v)) throw this.error(pos, `undefined variable "${v}"`);
    const { pipe, next } = this.parseCommands(toks, i, pos, context, false);
    if (next < toks.length) throw this.error(toks[next]!.pos, `unexpected "${toks[next]!.text}" in ${context}`);
    if (!assign) this.vars.push(...decl);
    return { ...pipe, decl, assign };
  }

  /** Commands separated by `|`, up to the end of the tokens or (inside parentheses) a `)`. */
  private parseCommands(toks: Tok[], i: number, pos: number, context: string, inParen: boolean): { pipe: Pipe; next: number } {
    const cmds: Cmd[] = [];
    let args: Arg[] = [];
    let cmdPos = toks[i]?.pos ?? pos;
    const endCmd = (at: number) => {
      if (args.length === 0) throw this.error(at, `missing value for ${context}`);
      cmds.push({ args, pos: cmdPos });
      args = [];
    };
    while (i < toks.length) {
      const t = toks[i]!;
      if (t.type === 'rparen') {
        if (!inParen) throw this.error(t.pos, `unexpected right paren`);
        break;
      }
      if (t.type === 'pipe') {
        endCmd(t.pos);
        i++;
        cmdPos = toks[i]?.pos ?? t.pos;
        continue;
      }
      if (args.length > 0 && toks[i - 1] && toks[i - 1]!.end === t.pos && toks[i - 1]!.type !== 'lparen') {
        throw this.error(t.pos, `unexpected "${t.text}" in operand`);
      }
      const r = this.parseOperand(toks, i, context);
      args.push(r.arg);
      i = r.next;
    }
    if (args.length > 0 || cmds.length > 0 || !inParen) endCmd(toks[i]?.pos ?? pos);
    else throw this.error(pos, `missing value for ${context}`);
    for (const c of cmds.slice(1)) {
      const a = c.args[0]!;
      // Go rejects literals after the first command: they cannot receive the piped value.
      if (a.k === 'lit') throw this.error(a.pos, `non executable command in pipeline stage ${cmds.indexOf(c) + 1}`);
    }
    return { pipe: { decl: [], assign: false, cmds, pos }, next: i };
  }

  private parseOperand(toks: Tok[], i: number, context: string): { arg: Arg; next: number } {
    const t = toks[i]!;
    switch (t.type) {
      case 'field':
        return { arg: { k: 'field', chain: t.chain ?? [], pos: t.pos }, next: i + 1 };
      case 'var':
        if (!this.vars.includes(t.text)) throw this.error(t.pos, `undefined variable "${t.text}"`);
        return { arg: { k: 'var', name: t.text, chain: t.chain ?? [], pos: t.pos }, next: i + 1 };
      case 'ident':
        if (!this.funcs.has(t.text)) throw this.error(t.pos, `function "${t.text}" not defined`);
        return { arg: { k: 'ident', name: t.text, pos: t.pos }, next: i + 1 };
      case 'string':
        return { arg: { k: 'lit', value: t.value as string, text: t.text, pos: t.pos }, next: i + 1 };
      case 'number':
      case 'char':
        return { arg: { k: 'lit', value: t.value as number, text: t.text, pos: t.pos }, next: i + 1 };
      case 'bool':
        return { arg: { k: 'lit', value: t.text === 'true', text: t.text, pos: t.pos }, next: i + 1 };
      case 'nil':
        return { arg: { k: 'lit', value: null, text: 'nil', pos: t.pos }, next: i + 1 };
      case 'lparen': {
        const r = this.parseCommands(toks, i + 1, t.pos, 'parenthesized pipeline', true);
        if (toks[r.next]?.type !== 'rparen') throw this.error(t.pos, 'unclosed left paren');
        let next = r.next + 1;
        let chain: string[] = [];
        const after = toks[next];
        // `(pipeline).Field`: a field token glued to the closing paren continues the chain.
        if (after?.type === 'field' && after.pos === toks[r.next]!.end && after.chain?.length) {
          chain = after.chain;
          next++;
        }
        return { arg: { k: 'pipe', pipe: r.pipe, chain, pos: t.pos }, next };
      }
      default:
        throw this.error(t.pos, `unexpected "${t.text}" in ${context}`);
    }
  }
}

/** Parses a template; `funcs` names the functions it may call (Go checks this at parse time). */
export function parseTemplate(text: string, funcs: ReadonlySet<string>): Tree {
  const items = lex(text);
  return { text, root: new Parser(text, items, funcs).parseRoot() };
}

/** Go's String() of an operand or command, for "executing ... at <...>" contexts. */
export function argString(a: Arg): string {
  switch (a.k) {
    case 'field':
      return a.chain.length ? a.chain.map((c) => '.' + c).join('') : '.';
    case 'var':
      return a.name + a.chain.map((c) => '.' + c).join('');
    case 'ident':
      return a.name;
    case 'lit':
      return a.text;
    case 'pipe':
      return `(${pipeString(a.pipe)})${a.chain.map((c) => '.' + c).join('')}`;
  }
}

export function cmdString(c: Cmd): string {
  return c.args.map(argString).join(' ');
}

export function pipeString(p: Pipe): string {
  const d = p.decl.length ? `${p.decl.join(', ')} ${p.assign ? '=' : ':='} ` : '';
  return d + p.cmds.map(cmdString).join(' | ');
}
