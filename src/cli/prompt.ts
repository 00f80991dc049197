// docker's prompt.Confirm: prints "<message> [y/N] " and reads one line from stdin; only y/Y confirms.
import type { CliContext } from './context.js';

export async function confirm(ctx: CliContext, message: string): Promise<boolean> {
  ctx.out(`${message} [y/N] `);
  const line = await new Promise<string>((resolve) => {
    const stdin = ctx.io.stdin;
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl >= 0) finish(buf.slice(0, nl));
    };
    const finish = (s: string) => {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.pause();
      resolve(s);
    };
    const onEnd = () => finish(buf);
    stdin.on('data', onData);
    stdin.once('end', onEnd);
    stdin.resume();
  });
  const answer = line.trim();
  return answer === 'y' || answer === 'Y';
}
