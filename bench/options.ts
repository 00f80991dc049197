// The flags every side bench takes (bench:build, bench:distribution): how many interleaved rounds,
// whether dockerd runs beside berthd, whether the README table is written.
export interface SideBenchOptions {
  runs: number;
  withDockerd: boolean;
  readme: boolean;
}

export function parseSideBenchArgs(argv: string[], defaultRuns = 5): SideBenchOptions {
  const o: SideBenchOptions = { runs: defaultRuns, withDockerd: true, readme: true };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runs') o.runs = Number(argv[++i]);
    else if (argv[i] === '--no-dockerd') o.withDockerd = false;
    else if (argv[i] === '--no-readme') o.readme = false;
    else throw new Error(`unknown option ${argv[i]}`);
  }
  if (!Number.isInteger(o.runs) || o.runs < 1) throw new Error('--runs needs a positive integer');
  return o;
}
