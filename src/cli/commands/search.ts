// `berth search`: Docker's search table (NAME, DESCRIPTION, STARS, OFFICIAL) for a term; a term that
// starts with a registry host ("127.0.0.1:5000/busy") searches that registry. --limit, --filter,
// --format, --no-trunc as docker's.
import type { CommandSpec } from '../command-spec.js';
import { collect, parseFilterFlags } from '../command-spec.js';
import { imageSearch } from '../../client/images.js';
import { loadFormat } from '../formatting.js';
import { renderListWith } from '../list-format.js';
import { registryHostOf } from '../../lib/distribution/auth-config.js';
import { registryAuthHeader } from '../docker-config.js';

interface SearchFlags {
  limit?: string;
  filter?: string[];
  format?: string;
  noTrunc?: boolean;
  trunc?: boolean;
}

const HEADERS = { Name: 'NAME', Description: 'DESCRIPTION', StarCount: 'STARS', IsOfficial: 'OFFICIAL', IsAutomated: 'AUTOMATED' };
const TABLE = 'table {{.Name}}\t{{.Description}}\t{{.StarCount}}\t{{.IsOfficial}}';

export const spec: CommandSpec<SearchFlags> = {
  name: 'search',
  usage: '[OPTIONS] TERM',
  description: 'Search Docker Hub for images',
  minArgs: 1,
  maxArgs: 1,
  options: (cmd) =>
    cmd
      .option('-f, --filter <filter>', 'Filter output based on conditions provided', collect)
      .option('--format <string>', 'Pretty-print search using a Go template')
      .option('--limit <int>', 'Max number of search results')
      .option('--no-trunc', "Don't truncate output"),
  async run(ctx, args, f) {
    const term = args[0]!;
    const limit = f.limit !== undefined ? Number(f.limit) : undefined;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) throw new Error(`invalid argument "${f.limit}" for "--limit" flag`);
    const slash = term.indexOf('/');
    const host = slash > 0 && /[.:]|^localhost$/.test(term.slice(0, slash)) ? registryHostOf(term.slice(0, slash)) : 'docker.io';
    const results = await imageSearch(ctx.client, term, { limit, filters: parseFilterFlags(f.filter), auth: registryAuthHeader(ctx.io.env, host) });
    const trunc = !(f.trunc === false || f.noTrunc === true);
    const fm = await loadFormat();
    const rows = results.map((r) => {
      const desc = r.description.replace(/\s*\n\s*/g, ' ');
      return {
        Name: r.name,
        Description: trunc ? fm.ellipsis(desc, 45) : desc,
        StarCount: String(r.star_count),
        IsOfficial: r.is_official ? '[OK]' : '',
        IsAutomated: r.is_automated ? '[OK]' : '',
      };
    });
    ctx.out(renderListWith(fm, rows, { format: f.format ?? '', quiet: false, defaultTable: TABLE, headers: HEADERS }));
  },
};
