// `berth events`: the daemon's event stream, printed as docker prints it ("<time> container start <id>
// (image=busybox, name=x)") or through --format; --since/--until/--filter.
import type { CommandSpec } from '../command-spec.js';
import { collect, parseFilterFlags } from '../command-spec.js';
import type { EventMessage } from '../../api/types/index.js';
import { systemEvents, TIME_NANO_TEXT, type EventWithNanos } from '../../client/system.js';
import { getTimestamp } from '../timestamp.js';
import { goRfc3339Nano9 } from '../go-time.js';
import { loadFormat, type FormatHelpers } from '../formatting.js';

export function prettyEvent(e: EventMessage | EventWithNanos): string {
  let s = '';
  const exact = (e as EventWithNanos)[TIME_NANO_TEXT];
  if (exact) s += `${goRfc3339Nano9(BigInt(exact))} `;
  else if (e.timeNano) s += `${goRfc3339Nano9(BigInt(Math.trunc(e.timeNano)))} `;
  else if (e.time) s += `${goRfc3339Nano9(BigInt(e.time) * 1_000_000_000n)} `;
  s += `${e.Type} ${e.Action} ${e.Actor?.ID ?? ''}`;
  const attrs = e.Actor?.Attributes ?? {};
  const keys = Object.keys(attrs).sort();
  if (keys.length) s += ` (${keys.map((k) => `${k}=${attrs[k]}`).join(', ')})`;
  return `${s}\n`;
}

export const spec: CommandSpec<{ since?: string; until?: string; filter?: string[]; format?: string }> = {
  name: 'events',
  usage: '[OPTIONS]',
  description: 'Get real time events from the server',
  maxArgs: 0,
  options: (cmd) =>
    cmd
      .option('-f, --filter <filter>', 'Filter output based on conditions provided', collect)
      .option('--format <string>', 'Format output using a custom template')
      .option('--since <string>', 'Show all events created since timestamp')
      .option('--until <string>', 'Stream events until this timestamp'),
  async run(ctx, _args, o) {
    const now = Date.now();
    let f: FormatHelpers | null = null;
    const tpl = o.format === 'json' ? '{{json .}}' : o.format;
    if (tpl) f = await loadFormat();
    const ac = new AbortController();
    const stop = () => ac.abort();
    process.once('SIGINT', stop);
    try {
      for await (const e of systemEvents(
        ctx.client,
        { since: o.since ? getTimestamp(o.since, now) : undefined, until: o.until ? getTimestamp(o.until, now) : undefined, filters: parseFilterFlags(o.filter) },
        ac.signal,
      )) {
        // Templates see Go's field names: the legacy status/id/from are Status/ID/From there.
        const legacy = e as typeof e & { status?: string; id?: string; from?: string };
        ctx.out(f && tpl ? `${f.template(tpl, { ...e, Status: legacy.status, ID: legacy.id, From: legacy.from })}\n` : prettyEvent(e));
      }
    } catch (e) {
      if (!ac.signal.aborted) throw e;
    } finally {
      process.off('SIGINT', stop);
    }
  },
};
