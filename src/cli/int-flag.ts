// Integer flag values parsed as pflag does, with its error wording (exit 125 through the usage path).
import { StatusError } from './context.js';

export function intFlag(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^[+-]?\d+$/.test(v.trim())) throw new StatusError(125, `invalid argument "${v}" for "${flag}" flag: strconv.ParseInt: parsing "${v}": invalid syntax`);
  return Number(v);
}
