// The text of a JSON progress message's `progress` field, as Docker's JSONProgress.String() draws it
// ("[=====>      ]  1.23MB/4.56MB"), for clients that print it instead of drawing their own. Pure.

/** Docker's units.HumanSize: decimal units, 3 significant digits ("1.23MB", "512B"). */
export function humanSizeDecimal(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${Number(v.toPrecision(3))}${units[i]}`;
}

/** The bar for `current` of `total` bytes (total <= 0: just the running size). */
export function progressBar(current: number, total: number): string {
  if (total <= 0) return humanSizeDecimal(current).padStart(8);
  const width = 50;
  const pct = Math.min(1, current / total);
  const bars = Math.floor(pct * width);
  const bar = bars >= width ? '='.repeat(width) : `${'='.repeat(bars)}>${' '.repeat(width - bars - 1)}`;
  const numbers = current > total ? humanSizeDecimal(current).padStart(8) : `${humanSizeDecimal(current).padStart(8)}/${humanSizeDecimal(total)}`;
  return `[${bar}] ${numbers}`;
}
