// The bench's outputs: the table printed to the terminal and kept in README.md between markers, and
// the JSON results file.
import fs from 'node:fs';

export interface Row {
  metric: string;
  berthd?: number | string;
  dockerd?: number | string;
  runc?: number | string;
  /** berthd / dockerd, when both are numbers. */
  ratio?: number;
}

function cell(v: number | string | undefined, unit: string): string {
  if (v === undefined) return '—';
  if (typeof v === 'string') return v;
  if (unit === 'count') return String(Math.round(v));
  if (unit === 'req/s') return `${Math.round(v)} req/s`;
  if (unit === '%') return `${v.toFixed(0)} %`;
  if (unit === '%1') return `${v.toFixed(1)} %`;
  return unit === 'ms' ? `${v.toFixed(v < 10 ? 1 : 0)} ms` : `${v.toFixed(1)} MB`;
}

/** A Markdown table (also readable in a terminal). */
export function renderTable(rows: readonly Row[], units: Record<string, string>, floorHeader = 'runc floor'): string {
  const header = ['', 'berthd', 'dockerd 20.10', floorHeader, 'berthd / dockerd'];
  const body = rows.map((r) => {
    const unit = units[r.metric] ?? 'ms';
    return [r.metric, cell(r.berthd, unit), cell(r.dockerd, unit), cell(r.runc, unit), r.ratio === undefined || !Number.isFinite(r.ratio) ? '—' : `${r.ratio.toFixed(2)}×`];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cols: string[]) => `| ${cols.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const sep = `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|')}|`;
  return [line(header), sep, ...body.map(line)].join('\n');
}

export const README_START = '<!-- bench:start -->';
export const README_END = '<!-- bench:end -->';

/** Replaces the text between the bench markers in README.md; false when the markers are missing. */
export function writeReadmeTable(readmePath: string, content: string): boolean {
  const text = fs.readFileSync(readmePath, 'utf8');
  const a = text.indexOf(README_START);
  const b = text.indexOf(README_END);
  if (a < 0 || b < a) return false;
  fs.writeFileSync(readmePath, `${text.slice(0, a + README_START.length)}\n${content}\n${text.slice(b)}`);
  return true;
}
