// Parses Docker-style byte sizes for daemon options ("10m", "1g", "512k", "100"): binary units, as
// docker's RAMInBytes does.
import { InvalidParameterError } from '../errors.js';

const units: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

export function parseByteSize(s: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(s);
  if (!m) throw new InvalidParameterError(`invalid size: '${s}'`);
  return Math.floor(Number(m[1]) * units[m[2]!.toLowerCase()]!);
}
