// Executes a parsed --format template over JSON-like data with text/template's semantics: `.` and
// `$` rebinding, variables and their scopes, map fields (a missing key is "<no value>"), methods (a
// function-valued field is called with the arguments, as Docker's formatter contexts expose methods
// like `.Label "key"`), lazy and/or, range over slices, maps (sorted keys) and integers, break/continue.
import { formatValue, goTypeName } from './go-fmt.js';
import { ArgError, FuncError, isTrue, type FuncMap } from './template-funcs.js';
import { TemplateError, argString, cmdString, lineOf, type Arg, type Cmd, type ControlNode, type Node, type Pipe, type Tree } from './template-parse.js';

const MISSING: unique symbol = Symbol('missing');
type Final = unknown | typeof MISSING;

class BreakSignal {}
class ContinueSignal {}

interface Var {
  name: string;
  value: unknown;
}

function hasField(o: object, name: string): boolean {
  // Own keys, and the getters and methods of class instances; never Object.prototype's members
  // (toString, constructor, ...).
  for (let p: object | null = o; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    if (Object.prototype.hasOwnProperty.call(p, name) && !(p !== o && name === 'constructor')) return true;
  }
  return false;
}

export class Executor {
  private out = '';
  private vars: Var[];

  constructor(
    private readonly tree: Tree,
    private readonly funcs: FuncMap,
    data: unknown,
  ) {
    this.vars = [{ name: '$', value: data }];
  }

  run(data: unknown): string {
    try {
      this.walk(this.tree.root, data);
    } catch (e) {
      if (e instanceof BreakSignal || e instanceof ContinueSignal) return this.out;
      throw e;
    }
    return this.out;
  }

  private error(pos: number, context: string, msg: string): TemplateError {
    const text = this.tree.text;
    const nl = text.lastIndexOf('\n', pos - 1);
    const col = nl < 0 ? pos : pos - (nl + 1);
    return new TemplateError(`template: :${lineOf(text, pos)}:${col}: executing "" at <${context}>: ${msg}`);
  }

  private walk(list: Node[], dot: unknown): void {
    for (const node of list) {
      switch (node.t) {
        case 'text':
          this.out += node.text;
          break;
        case 'action': {
          const v = this.evalPipeline(dot, node.pipe, true);
          if (node.pipe.decl.length === 0) this.out += this.printable(v, node.pipe);
          break;
        }
        case 'if':
        case 'with': {
          const mark = this.vars.length;
          const v = this.evalPipeline(dot, node.pipe, true);
          if (isTrue(v)) this.walk(node.list, node.t === 'with' ? v : dot);
          else if (node.elseList) this.walk(node.elseList, dot);
          this.vars.length = mark;
          break;
        }
        case 'range':
          this.walkRange(node, dot);
          break;
        case 'break':
          throw new BreakSignal();
        case 'continue':
          throw new ContinueSignal();
      }
    }
  }

  private walkRange(node: ControlNode, dot: unknown): void {
    const mark = this.vars.length;
    const val = this.evalPipeline(dot, node.pipe, false);
    const decl = node.pipe.decl;
    if (!node.pipe.assign) for (const d of decl) this.vars.push({ name: d, value: val });
    const one = (key: unknown, elem: unknown): boolean => {
      if (decl.length === 1) this.setVar(decl[0]!, elem, node.pipe.assign);
      if (decl.length === 2) {
        this.setVar(decl[0]!, key, node.pipe.assign);
        this.setVar(decl[1]!, elem, node.pipe.assign);
      }
      const inner = this.vars.length;
      try {
        this.walk(node.list, elem);
      } catch (e) {
        if (e instanceof BreakSignal) return false;
        if (!(e instanceof ContinueSignal)) throw e;
      } finally {
        this.vars.length = inner;
      }
      return true;
    };
    let ran = false;
    if (Array.isArray(val)) {
      for (let i = 0; i < val.length; i++) {
        ran = true;
        if (!one(i, val[i])) break;
      }
    } else if (typeof val === 'number') {
      if (!Number.isInteger(val)) throw this.error(node.pos, `range ${this.pipeCtx(node.pipe)}`, `range can't iterate over ${formatValue(val)}`);
      if (decl.length > 1) throw this.error(node.pos, `range ${this.pipeCtx(node.pipe)}`, `can't use ${val} to iterate over more than one variable`);
      for (let i = 0; i < val; i++) {
        ran = true;
        if (!one(i, i)) break;
      }
    } else if (val !== null && val !== undefined && typeof val === 'object') {
      const o = val as Record<string, unknown>;
      for (const k of Object.keys(o).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
        ran = true;
        if (!one(k, o[k])) break;
      }
    } else if (val !== null && val !== undefined) {
      throw this.error(node.pos, `range ${this.pipeCtx(node.pipe)}`, `range can't iterate over ${formatValue(val)}`);
    }
    if (!ran && node.elseList) this.walk(node.elseList, dot);
    this.vars.length = mark;
  }

  private pipeCtx(p: Pipe): string {
    return p.cmds.map(cmdString).join(' | ');
  }

  private setVar(name: string, value: unknown, assign: boolean): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i]!.name === name) {
        this.vars[i]!.value = value;
        return;
      }
    }
    if (!assign) this.vars.push({ name, value });
  }

  private lookupVar(name: string, pos: number): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i]!.name === name) return this.vars[i]!.value;
    throw this.error(pos, name, `undefined variable: ${name}`);
  }

  private printable(v: unknown, pipe: Pipe): string {
    if (v === undefined) return '<no value>';
    if (typeof v === 'function') throw this.error(pipe.pos, this.pipeCtx(pipe), `can't print ${this.pipeCtx(pipe)} of type func`);
    return formatValue(v);
  }

  private evalPipeline(dot: unknown, pipe: Pipe, handleDecl: boolean): unknown {
    let value: Final = MISSING;
    for (const cmd of pipe.cmds) value = this.evalCommand(dot, cmd, value);
    const v = value === MISSING ? undefined : value;
    if (handleDecl) {
      for (const d of pipe.decl) {
        if (pipe.assign) this.setVar(d, v, true);
        else this.vars.push({ name: d, value: v });
      }
    }
    return v;
  }

  private notAFunction(cmd: Cmd, final: Final): void {
    if (cmd.args.length > 1 || final !== MISSING) {
      throw this.error(cmd.pos, cmdString(cmd), `can't give argument to non-function ${argString(cmd.args[0]!)}`);
    }
  }

  private evalCommand(dot: unknown, cmd: Cmd, final: Final): unknown {
    const first = cmd.args[0]!;
    const rest = cmd.args.slice(1);
    switch (first.k) {
      case 'field':
        if (first.chain.length === 0) {
          this.notAFunction(cmd, final);
          return dot;
        }
        return this.evalFieldChain(dot, dot, first, first.chain, rest, final);
      case 'var': {
        const v = this.lookupVar(first.name, first.pos);
        if (first.chain.length === 0) {
          this.notAFunction(cmd, final);
          return v;
        }
        return this.evalFieldChain(dot, v, first, first.chain, rest, final);
      }
      case 'pipe': {
        const v = this.evalPipeline(dot, first.pipe, true);
        if (first.chain.length === 0) {
          this.notAFunction(cmd, final);
          return v;
        }
        return this.evalFieldChain(dot, v, first, first.chain, rest, final);
      }
      case 'ident':
        return this.callFunction(dot, first.name, rest, final, cmd);
      case 'lit':
        if (first.value === null && first.text === 'nil') throw this.error(first.pos, 'nil', 'nil is not a command');
        this.notAFunction(cmd, final);
        return first.value;
    }
  }

  private evalFieldChain(dot: unknown, receiver: unknown, node: Arg, chain: string[], args: Arg[], final: Final): unknown {
    for (let i = 0; i < chain.length; i++) {
      const last = i === chain.length - 1;
      receiver = this.evalField(dot, chain[i]!, node, last ? args : [], last ? final : MISSING, receiver);
    }
    return receiver;
  }

  private evalField(dot: unknown, name: string, node: Arg, args: Arg[], final: Final, receiver: unknown): unknown {
    const ctx = argString(node);
    const hasArgs = args.length > 0 || final !== MISSING;
    // A missing value has no fields; Go yields the missing value again ("<no value>" when printed).
    // A JSON null is most often one of Docker's nil maps (Labels, Options), whose fields Go reads as
    // missing rather than failing as it would on a nil struct pointer.
    if (receiver === undefined || receiver === null) {
      if (hasArgs) throw this.error(node.pos, ctx, `${name} is not a method but has arguments`);
      return undefined;
    }
    if (typeof receiver !== 'object' || Array.isArray(receiver)) {
      throw this.error(node.pos, ctx, `can't evaluate field ${name} in type ${goTypeName(receiver)}`);
    }
    const o = receiver as Record<string, unknown>;
    if (!hasField(o, name)) {
      if (hasArgs) throw this.error(node.pos, ctx, `${name} is not a method but has arguments`);
      return undefined;
    }
    const v = o[name];
    if (typeof v === 'function') {
      const argv = args.map((a) => this.evalArg(dot, a));
      if (final !== MISSING) argv.push(final);
      try {
        return (v as (...x: unknown[]) => unknown).apply(o, argv);
      } catch (e) {
        throw this.error(node.pos, ctx, `error calling ${name}: ${(e as Error).message}`);
      }
    }
    if (hasArgs) throw this.error(node.pos, ctx, `${name} is not a method but has arguments`);
    return v;
  }

  private evalArg(dot: unknown, a: Arg): unknown {
    switch (a.k) {
      case 'field':
        return a.chain.length === 0 ? dot : this.evalFieldChain(dot, dot, a, a.chain, [], MISSING);
      case 'var': {
        const v = this.lookupVar(a.name, a.pos);
        return a.chain.length === 0 ? v : this.evalFieldChain(dot, v, a, a.chain, [], MISSING);
      }
      case 'pipe': {
        const v = this.evalPipeline(dot, a.pipe, true);
        return a.chain.length === 0 ? v : this.evalFieldChain(dot, v, a, a.chain, [], MISSING);
      }
      case 'ident':
        return this.callFunction(dot, a.name, [], MISSING, { args: [a], pos: a.pos });
      case 'lit':
        return a.value;
    }
  }

  private callFunction(dot: unknown, name: string, argNodes: Arg[], final: Final, cmd: Cmd): unknown {
    const ctx = cmdString(cmd);
    const def = this.funcs[name];
    if (!def) throw this.error(cmd.pos, ctx, `"${name}" is not a defined function`);
    const n = argNodes.length + (final === MISSING ? 0 : 1);
    if (def.variadic ? n < def.arity : n !== def.arity) {
      throw this.error(cmd.pos, ctx, `wrong number of args for ${name}: want ${def.variadic ? 'at least ' : ''}${def.arity} got ${n}`);
    }
    // and/or stop at the first argument that decides the answer (Go 1.18+).
    if (name === 'and' || name === 'or') {
      let v: unknown;
      for (const a of argNodes) {
        v = this.evalArg(dot, a);
        if (isTrue(v) === (name === 'or')) return v;
      }
      return final === MISSING ? v : final;
    }
    const argv = argNodes.map((a) => this.evalArg(dot, a));
    if (final !== MISSING) argv.push(final);
    try {
      return def.call(argv);
    } catch (e) {
      if (e instanceof FuncError) throw this.error(cmd.pos, ctx, `error calling ${name}: ${e.message}`);
      if (e instanceof ArgError) throw this.error(cmd.pos, ctx, e.message);
      if (e instanceof TemplateError) throw e;
      throw this.error(cmd.pos, ctx, `error calling ${name}: ${(e as Error).message}`);
    }
  }
}
