// `berth port`: a container's published ports as inspect reports them, or docker's error for a port
// that is not published.
import type { CommandSpec } from '../command-spec.js';
import { containerInspect } from '../../client/containers.js';

export const spec: CommandSpec = {
  name: 'port',
  usage: 'CONTAINER [PRIVATE_PORT[/PROTO]]',
  description: 'List port mappings or a specific mapping for the container',
  minArgs: 1,
  maxArgs: 2,
  async run(ctx, args) {
    const info = await containerInspect(ctx.client, args[0]!);
    const ports = info.NetworkSettings?.Ports ?? {};
    if (args[1]) {
      const [port, proto = 'tcp'] = args[1].split('/');
      const key = `${port}/${proto}`;
      const b = ports[key];
      if (!b || b.length === 0) throw new Error(`Error: No public port '${key}' published for ${args[0]}`);
      for (const x of b) ctx.out(`${x.HostIp || '0.0.0.0'}:${x.HostPort}\n`);
      return;
    }
    for (const [key, b] of Object.entries(ports).sort(([a], [z]) => a.localeCompare(z))) {
      for (const x of b ?? []) ctx.out(`${key} -> ${x.HostIp || '0.0.0.0'}:${x.HostPort}\n`);
    }
  },
};
