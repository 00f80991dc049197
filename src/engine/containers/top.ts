// Pure parsing of `ps` output for `docker top`: keep the header's titles and the rows whose PID
// column names a process of the container, as Docker's daemon/top_unix.go does.
import { InvalidParameterError } from '../../errors.js';

export function parsePsOutput(output: string, pids: number[]): { titles: string[]; processes: string[][] } {
  const lines = output.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) return { titles: [], processes: [] };
  const titles = lines[0]!.trim().split(/\s+/);
  const pidIndex = titles.indexOf('PID');
  if (pidIndex < 0) throw new InvalidParameterError('Couldn\'t find PID field in ps output');
  const want = new Set(pids);
  const processes: string[][] = [];
  for (const line of lines.slice(1)) {
    const fields = line.trim().split(/\s+/);
    // The last column (CMD/COMMAND) may contain spaces: join everything past the title count.
    const row = fields.slice(0, titles.length - 1);
    row.push(fields.slice(titles.length - 1).join(' '));
    const pid = Number(row[pidIndex]);
    if (!Number.isInteger(pid)) throw new InvalidParameterError(`Unexpected pid '${row[pidIndex]}'`);
    if (want.has(pid)) processes.push(row);
  }
  return { titles, processes };
}
