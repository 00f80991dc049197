// `berth version`: client and server versions in docker's layout, or a --format template over
// {Client, Server} with docker's Go field names (.Server.APIVersion, .Server.Os...).
import type { CommandSpec } from '../command-spec.js';
import { StatusError } from '../context.js';
import { systemVersion } from '../../client/system.js';
import { API_VERSION } from '../../api/version.js';
import { errorText } from '../error-text.js';
import { loadFormat } from '../formatting.js';
import { BERTH_VERSION } from '../version-info.js';

export const spec: CommandSpec<{ format?: string }> = {
  name: 'version',
  usage: '[OPTIONS]',
  description: 'Show the berth version information',
  maxArgs: 0,
  options: (cmd) => cmd.option('-f, --format <string>', 'Format output using a custom template'),
  async run(ctx, _args, o) {
    const c = ctx.client;
    const client = {
      Platform: { Name: '' },
      Version: BERTH_VERSION,
      APIVersion: API_VERSION,
      DefaultAPIVersion: API_VERSION,
      GoVersion: process.version,
      GitCommit: '',
      BuildTime: '',
      Os: process.platform,
      Arch: process.arch === 'x64' ? 'amd64' : process.arch,
      Context: 'default',
    };
    let server: Record<string, unknown> | null = null;
    let serverErr: unknown = null;
    try {
      const v = await systemVersion(c);
      client.APIVersion = await c.apiVersion();
      server = {
        Platform: v.Platform ?? { Name: '' },
        Components: v.Components ?? [],
        Version: v.Version,
        APIVersion: v.ApiVersion,
        MinAPIVersion: v.MinAPIVersion,
        GitCommit: v.GitCommit,
        GoVersion: v.GoVersion,
        Os: v.Os,
        Arch: v.Arch,
        KernelVersion: v.KernelVersion,
        Experimental: !!v.Experimental,
        BuildTime: v.BuildTime,
      };
    } catch (e) {
      serverErr = e;
    }
    if (o.format) {
      const f = await loadFormat();
      const tpl = o.format === 'json' ? '{{json .}}' : o.format;
      ctx.out(f.template(tpl, { Client: client, Server: server }) + '\n');
    } else {
      let s = `Client:\n Version:           ${client.Version}\n API version:       ${client.APIVersion}${client.APIVersion !== client.DefaultAPIVersion ? ` (downgraded from ${client.DefaultAPIVersion})` : ''}\n Node version:      ${client.GoVersion}\n OS/Arch:           ${client.Os}/${client.Arch}\n Context:           ${client.Context}\n`;
      if (server) {
        const p = server.Platform as { Name?: string };
        s += `\nServer:${p?.Name ? ` ${p.Name}` : ''}\n`;
        for (const comp of server.Components as { Name: string; Version: string; Details?: Record<string, string> }[]) {
          const d = comp.Details ?? {};
          s += ` ${comp.Name}:\n  Version:          ${comp.Version}\n`;
          if (comp.Name === 'Engine') {
            s += `  API version:      ${d.ApiVersion ?? server.APIVersion} (minimum version ${d.MinAPIVersion ?? server.MinAPIVersion})\n`;
            s += `  Go version:       ${d.GoVersion ?? server.GoVersion}\n  Git commit:       ${d.GitCommit ?? server.GitCommit}\n  Built:            ${d.BuildTime ?? server.BuildTime}\n`;
            s += `  OS/Arch:          ${d.Os ?? server.Os}/${d.Arch ?? server.Arch}\n  Experimental:     ${d.Experimental ?? String(server.Experimental)}\n`;
          } else {
            for (const k of Object.keys(d).sort()) s += `  ${k}:${' '.repeat(Math.max(1, 17 - k.length))}${d[k]}\n`;
          }
        }
      }
      ctx.out(s);
    }
    if (serverErr) throw new StatusError(1, errorText(serverErr));
  },
};
