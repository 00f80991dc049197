// docker's list output: Go's text/tabwriter as the docker CLI configures it (minwidth 10, padding 3,
// spaces), the `table` / `json` / plain-template forms of --format, and the header row docker renders by
// running the row template over a map of column titles.
import { compileTemplate, type CompiledTemplate } from './template.js';
import { headerFuncs } from './template-funcs.js';
import type { Arg, Node, Pipe } from './template-parse.js';

export interface TabOptions {
  /** Minimum cell width including padding (docker: 10). */
  minwidth?: number;
  /** Spaces added to the widest cell of a column (docker: 3). */
  padding?: number;
}

interface Cell {
  text: string;
  width: number;
}

const runeWidth = (s: string) => [...s].length;

/**
 * Go's tabwriter over `text`: tab-terminated cells are padded to the width of their column block
 * (consecutive lines that have that column); a line's last cell is never padded. Widths count runes.
 */
export function tabwrite(text: string, opts: TabOptions = {}): string {
  const minwidth = opts.minwidth ?? 10;
  const padding = opts.padding ?? 3;
  const raw = text.split('\n');
  const lines: Cell[][] = raw.map((l) => l.split('\t').map((t) => ({ text: t, width: runeWidth(t) })));
  // Text that ends in a newline leaves an empty, cell-less last line.
  if (text.endsWith('\n')) lines[lines.length - 1] = [];
  const out: string[] = [];
  const widths: number[] = [];

  const writeLines = (line0: number, line1: number) => {
    for (let i = line0; i < line1; i++) {
      const line = lines[i]!;
      let s = '';
      line.forEach((c, j) => {
        s += c.text;
        if (j < widths.length) s += ' '.repeat(Math.max(widths[j]! - c.width, 0));
      });
      out.push(i + 1 === lines.length ? s : s + '\n');
    }
  };

  const format = (line0: number, line1: number) => {
    const column = widths.length;
    for (let t = line0; t < line1; t++) {
      if (column >= lines[t]!.length - 1) continue;
      // A block of this column starts here: print the lines before it, then size the block.
      writeLines(line0, t);
      line0 = t;
      let width = minwidth;
      for (; t < line1; t++) {
        const line = lines[t]!;
        if (column >= line.length - 1) break;
        width = Math.max(width, line[column]!.width + padding);
      }
      widths.push(width);
      format(line0, t);
      widths.pop();
      line0 = t;
    }
    writeLines(line0, line1);
  };

  format(0, lines.length);
  return out.join('');
}

/**
 * Aligns rows as docker's tables are aligned. Takes either rows of cells or the tab-separated text a
 * template produced (one row per line).
 */
export function formatTable(input: string[][] | string, opts?: TabOptions): string {
  const text = typeof input === 'string' ? input : input.map((r) => r.join('\t') + '\n').join('');
  return tabwrite(text, opts);
}

export interface ParsedFormat {
  /** `table ...`: a header row and aligned columns. */
  table: boolean;
  /** `json`: one JSON object per line (docker 23+). */
  json: boolean;
  /** The per-item template: `table` removed, spaces trimmed, `\t` and `\n` escapes expanded. */
  template: string;
}

/**
 * docker's reading of --format: "table" alone is the command's default table, "json" is `{{json .}}`,
 * "table X" is X with a header, anything else is a template printed once per item with no header.
 * As docker does, the literal two-character escapes `\t` and `\n` become a tab and a newline.
 */
export function parseFormat(format: string, defaultTable?: string): ParsedFormat {
  let f = format;
  if (f.trim() === 'table' && defaultTable !== undefined) f = defaultTable.startsWith('table') ? defaultTable : `table ${defaultTable}`;
  if (f === 'json') return { table: false, json: true, template: '{{json .}}' };
  const table = f.startsWith('table');
  if (table) f = f.slice('table'.length);
  f = f.replace(/^ +| +$/g, '').replace(/\\t/g, '\t').replace(/\\n/g, '\n');
  return { table, json: false, template: f };
}

function collectArgs(args: Arg[], out: string[][]): void {
  for (const a of args) {
    if (a.k === 'field' && a.chain.length) out.push(a.chain);
    if (a.k === 'pipe') collectPipe(a.pipe, out);
  }
}

function collectPipe(p: Pipe, out: string[][]): void {
  for (const c of p.cmds) collectArgs(c.args, out);
}

function collectNodes(nodes: Node[], out: string[][]): void {
  for (const n of nodes) {
    if (n.t === 'action') collectPipe(n.pipe, out);
    else if (n.t === 'if' || n.t === 'with' || n.t === 'range') {
      collectPipe(n.pipe, out);
      collectNodes(n.list, out);
      if (n.elseList) collectNodes(n.elseList, out);
    }
  }
}

/** A field name as a column title when the command gives none: `RunningFor` -> `RUNNING FOR`. */
export function defaultHeader(field: string): string {
  return field
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toUpperCase();
}

/**
 * The header row docker prints for a table template: the template run over the column titles (the
 * command's `headers`, e.g. {ID: 'CONTAINER ID'}) with the header functions, so `{{upper .Names}}`
 * still prints NAMES. Fields the map lacks get a title made from their name. Like docker, a header
 * that fails to render is left empty rather than failing the listing.
 */
export function renderHeader(tpl: CompiledTemplate, headers: Record<string, string>): string {
  const ctx: Record<string, unknown> = { ...headers };
  const chains: string[][] = [];
  collectNodes(tpl.tree, chains);
  for (const chain of chains) {
    if (typeof ctx[chain[0]!] === 'string') continue;
    // .A.B: an object whose leaf is B's title, so nested fields render as titles too.
    let o = ctx;
    chain.forEach((name, i) => {
      if (i === chain.length - 1) {
        if (!(name in o)) o[name] = headers[name] ?? defaultHeader(name);
      } else {
        if (typeof o[name] !== 'object' || o[name] === null) o[name] = {};
        o = o[name] as Record<string, unknown>;
      }
    });
  }
  try {
    return tpl.execute(ctx, headerFuncs);
  } catch {
    return '';
  }
}

export interface RenderListOptions {
  /** Column titles by field name, as the docker command defines them. */
  headers?: Record<string, string>;
  /** The command's default table (used for `--format table`), e.g. "table {{.ID}}\t{{.Image}}". */
  defaultTable?: string;
}

/** Renders items with a --format string exactly as docker's formatter writes them. */
export function renderList(format: string, items: readonly unknown[], opts: RenderListOptions = {}): string {
  const pf = parseFormat(format, opts.defaultTable);
  const tpl = compileTemplate(pf.template);
  let body = '';
  // Every item ends in a newline, even when its template printed nothing (docker prints blank lines).
  for (const item of items) body += tpl.execute(item) + '\n';
  if (!pf.table) return body;
  return tabwrite(renderHeader(tpl, opts.headers ?? {}) + '\n' + body);
}
