// The --format entry point: compile a Go text/template (the subset docker's CLI offers) once and
// render it over JSON-like data as many times as needed.
import { Executor } from './template-exec.js';
import { defaultFuncs, type FuncMap } from './template-funcs.js';
import { parseTemplate, TemplateError, type Node, type Tree } from './template-parse.js';

export { TemplateError };
export type { FuncMap, FuncDef } from './template-funcs.js';

export interface CompiledTemplate {
  readonly text: string;
  /** The parsed nodes (table headers read the fields a template uses). */
  readonly tree: Node[];
  /** Renders over `data`; `funcs` replaces functions by name (docker's header rendering does). */
  execute(data: unknown, funcs?: FuncMap): string;
}

/** Parses once; throws TemplateError ("template: :1: function \"x\" not defined") on a bad template. */
export function compileTemplate(text: string, extraFuncs: FuncMap = {}): CompiledTemplate {
  const funcs: FuncMap = { ...defaultFuncs, ...extraFuncs };
  const tree: Tree = parseTemplate(text, new Set(Object.keys(funcs)));
  return {
    text,
    tree: tree.root,
    execute(data: unknown, override?: FuncMap): string {
      return new Executor(tree, override ? { ...funcs, ...override } : funcs, data).run(data);
    },
  };
}

const cache = new Map<string, CompiledTemplate>();

/** Renders `tpl` over `data` (compiled templates are cached: a ps of 200 rows parses once). */
export function renderTemplate(tpl: string, data: unknown): string {
  let t = cache.get(tpl);
  if (!t) {
    t = compileTemplate(tpl);
    if (cache.size > 64) cache.clear();
    cache.set(tpl, t);
  }
  return t.execute(data);
}
