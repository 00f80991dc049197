// The CLI's door to the shared pure formatting helpers in lib/format and lib/names (Go templates,
// tab-aligned tables, human sizes and durations, short IDs). Loaded on first use so that commands
// which print no tables do not pay for them.

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

let loaded: Promise<FormatHelpers> | null = null;

export function loadFormat(): Promise<FormatHelpers> {
  loaded ??= (async () => {
    const fmt = (await import('../lib/format/index.js')) as Record<string, unknown>;
    const names = (await import('../lib/names/index.js')) as Record<string, unknown>;
    const fn = <T>(mod: Record<string, unknown>, name: string): T => {
      const v = mod[name];
      if (typeof v !== 'function') throw new Error(`lib is missing ${name}`);
      return v as T;
    };
    return {
      template: fn(fmt, 'renderTemplate'),
      tabulate: fn(fmt, 'formatTable'),
      humanSize: fn(fmt, 'humanSize'),
      bytesSize: fn(fmt, 'bytesSize'),
      humanDuration: fn(fmt, 'humanDuration'),
      shortId: fn(names, 'shortId'),
      ellipsis: fn(fmt, 'ellipsis'),
    };
  })();
  return loaded;
}
