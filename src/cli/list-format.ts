// docker's formatter.Context for list commands (ps, images, history, volume ls): `table` formats get a
// header row (the same template run over the column titles) and tab-aligned columns; `json` is
// `{{json .}}`; any other text is a Go template run once per row. `\t` and `\n` in the format are
// escapes, as docker reads them.
import { loadFormat, type FormatHelpers } from './formatting.js';

export interface ListFormatOptions {
  /** The --format value, or '' / 'table' for the command's default table. */
  format: string;
  quiet: boolean;
  /** The default table format ("table {{.ID}}\t..."). */
  defaultTable: string;
  /** The template for -q. */
  quietFormat?: string;
  /** Column titles by field name (ID -> "CONTAINER ID"). */
  headers: Record<string, string>;
}

/** Resolves which template a list command uses (docker's NewContainerFormat / NewImageFormat rules). */
export function chooseFormat(o: ListFormatOptions): string {
  if (o.format === '' || o.format === 'table') return o.quiet ? (o.quietFormat ?? '{{.ID}}') : o.defaultTable;
  if (o.quiet) return o.quietFormat ?? '{{.ID}}';
  return o.format;
}

/** Strips the `table` prefix, maps `json`, trims spaces and turns `\t` / `\n` escapes into characters. */
export function preFormat(format: string): { template: string; table: boolean } {
  let t = format;
  const table = t.startsWith('table');
  if (table) t = t.slice('table'.length);
  else if (t === 'json') t = '{{json .}}';
  t = t.replace(/^ +| +$/g, '').replace(/\\t/g, '\t').replace(/\\n/g, '\n');
  return { template: t, table };
}

export async function renderList(rows: object[], o: ListFormatOptions): Promise<string> {
  const f = await loadFormat();
  return renderListWith(f, rows, o);
}

export function renderListWith(f: FormatHelpers, rows: object[], o: ListFormatOptions): string {
  const { template, table } = preFormat(chooseFormat(o));
  const body = rows.map((r) => f.template(template, r) + '\n').join('');
  if (!table) return body;
  const header = f.template(template, o.headers);
  return f.tabulate(header + '\n' + body);
}
