// `berth info`: system-wide information in docker's layout, or a --format template over /info.
import type { CommandSpec } from '../command-spec.js';
import { systemInfo } from '../../client/system.js';
import { loadFormat } from '../formatting.js';
import { BERTH_VERSION } from '../version-info.js';

export const spec: CommandSpec<{ format?: string }> = {
  name: 'info',
  usage: '[OPTIONS]',
  description: 'Display system-wide information',
  maxArgs: 0,
  options: (cmd) => cmd.option('-f, --format <string>', 'Format output using a custom template'),
  async run(ctx, _args, o) {
    const i = await systemInfo(ctx.client);
    const f = await loadFormat();
    if (o.format) {
      ctx.out(`${f.template(o.format === 'json' ? '{{json .}}' : o.format, i)}\n`);
      return;
    }
    const lines = [
      'Client:',
      ` Version:    ${BERTH_VERSION}`,
      ' Context:    default',
      ' Debug Mode: false',
      '',
      'Server:',
      ` Containers: ${i.Containers}`,
      `  Running: ${i.ContainersRunning}`,
      `  Paused: ${i.ContainersPaused}`,
      `  Stopped: ${i.ContainersStopped}`,
      ` Images: ${i.Images}`,
      ` Server Version: ${i.ServerVersion}`,
      ` Storage Driver: ${i.Driver}`,
      ...(i.DriverStatus ?? []).map(([k, v]) => `  ${k}: ${v}`),
      ` Logging Driver: ${i.LoggingDriver}`,
      ` Cgroup Driver: ${i.CgroupDriver}`,
      ` Cgroup Version: ${i.CgroupVersion}`,
      ' Plugins:',
      `  Volume: ${(i.Plugins?.Volume ?? []).join(' ')}`,
      `  Network: ${(i.Plugins?.Network ?? []).join(' ')}`,
      `  Log: ${(i.Plugins?.Log ?? []).join(' ')}`,
      ` Runtimes: ${Object.keys(i.Runtimes ?? {}).join(' ')}`,
      ` Default Runtime: ${i.DefaultRuntime}`,
      ` Init Binary: ${i.InitBinary}`,
      ` Security Options:${(i.SecurityOptions ?? []).length ? '' : ''}`,
      ...(i.SecurityOptions ?? []).map((s) => `  ${s}`),
      ` Kernel Version: ${i.KernelVersion}`,
      ` Operating System: ${i.OperatingSystem}`,
      ` OSType: ${i.OSType}`,
      ` Architecture: ${i.Architecture}`,
      ` CPUs: ${i.NCPU}`,
      ` Total Memory: ${f.bytesSize(i.MemTotal)}`,
      ` Name: ${i.Name}`,
      ` ID: ${i.ID}`,
      ` Docker Root Dir: ${i.DockerRootDir}`,
      ` Debug Mode: ${i.Debug}`,
      ` Experimental: ${i.ExperimentalBuild}`,
      ` Live Restore Enabled: ${i.LiveRestoreEnabled}`,
    ];
    ctx.out(lines.join('\n') + '\n');
    for (const w of i.Warnings ?? []) ctx.err(`${w}\n`);
  },
};
