// `berth history`: an image's layers (newest first) with docker's columns; -H, --no-trunc, -q, --format.
import { Option } from 'commander';
import type { CommandSpec } from '../command-spec.js';
import { imageHistory } from '../../client/images.js';
import { loadFormat } from '../formatting.js';
import { renderListWith } from '../list-format.js';
import { goRfc3339 } from '../go-time.js';

interface HistoryFlags {
  human?: boolean;
  format?: string;
  noTrunc?: boolean;
  trunc?: boolean;
  quiet?: boolean;
}

const HEADERS = { ID: 'IMAGE', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT', CreatedBy: 'CREATED BY', Size: 'SIZE', Comment: 'COMMENT' };
const TABLE = 'table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}';

export const spec: CommandSpec<HistoryFlags> = {
  name: 'history',
  usage: '[OPTIONS] IMAGE',
  description: 'Show the history of an image',
  minArgs: 1,
  maxArgs: 1,
  options: (cmd) =>
    cmd
      .option('--format <string>', 'Format output using a custom template')
      .option('-H, --human', 'Print sizes and dates in human readable format (default true)')
      .addOption(new Option('--no-human').hideHelp())
      .option('--no-trunc', "Don't truncate output")
      .option('-q, --quiet', 'Only show image IDs'),
  async run(ctx, args, o) {
    const trunc = !(o.trunc === false || o.noTrunc === true);
    const human = o.human !== false;
    const [items, f] = await Promise.all([imageHistory(ctx.client, args[0]!), loadFormat()]);
    const now = Date.now();
    const rows = items.map((h) => {
      const createdBy = (h.CreatedBy ?? '').replace(/\t/g, ' ');
      return {
        Comment: h.Comment ?? '',
        CreatedAt: goRfc3339(h.Created),
        CreatedBy: trunc ? f.ellipsis(createdBy, 45) : createdBy,
        CreatedSince: human ? `${f.humanDuration(now - h.Created * 1000)} ago` : goRfc3339(h.Created),
        ID: h.Id === '<missing>' ? h.Id : trunc ? f.shortId(h.Id) : h.Id,
        Size: human ? f.humanSize(h.Size) : String(h.Size),
      };
    });
    ctx.out(renderListWith(f, rows, { format: o.format ?? '', quiet: !!o.quiet, defaultTable: TABLE, headers: HEADERS }));
  },
};
