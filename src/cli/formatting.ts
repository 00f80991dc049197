// The CLI's door to the shared pure formatting helpers in lib/format and lib/names (Go templates,
// tab-aligned tables, human sizes and durations, short IDs), under the names the commands use.
import { bytesSize, ellipsis, formatTable, humanDuration, humanSizeWithPrecision, renderTemplate } from '../lib/format/index.js';
import { shortId } from '../lib/names/index.js';

export interface FormatHelpers {
  /** Runs a Go-template subset over data. */
  template(tpl: string, data: unknown): string;
  /** docker's tabwriter (minwidth 10, padding 3 unless given) over tab-separated lines. */
  tabulate(text: string, o?: { minWidth?: number; padding?: number }): string;
  /** go-units HumanSizeWithPrecision(n, precision = 3): "1.99MB". */
  humanSize(bytes: number, precision?: number): string;
  /** go-units BytesSize (binary units): "15.62GiB". */
  bytesSize(bytes: number): string;
  /** go-units HumanDuration: "2 hours". */
  humanDuration(ms: number): string;
  /** First 12 hex digits of an ID, without "sha256:". */
  shortId(id: string): string;
  /** docker's formatter.Ellipsis: truncate to width with "…". */
  ellipsis(s: string, width: number): string;
}

const helpers: FormatHelpers = {
  template: (tpl, data) => renderTemplate(tpl, data),
  tabulate: (text, o) => formatTable(text, { minwidth: o?.minWidth, padding: o?.padding }),
  humanSize: (n, precision = 3) => humanSizeWithPrecision(n, precision),
  bytesSize: (n) => bytesSize(n),
  humanDuration: (ms) => humanDuration(ms),
  shortId: (id) => shortId(id),
  ellipsis: (s, w) => ellipsis(s, w),
};

/** Kept async so commands need not change if the helpers are ever loaded lazily. */
export function loadFormat(): Promise<FormatHelpers> {
  return Promise.resolve(helpers);
}
