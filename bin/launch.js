// What the launchers in this directory share: run a program's `main` from its bundle (dist/bundle,
// made by scripts/bundle.mjs: one file loads in ~95 ms where berthd's ~400 modules and package files
// took ~400) when the bundle is at least as new as the compile, else from the compiled modules.
import fs from 'node:fs';

const dist = new URL('../dist/', import.meta.url);
const mtime = (f) => fs.statSync(new URL(f, dist), { throwIfNoEntry: false })?.mtimeMs ?? -1;

/** `name`: the bundle's file name; `modules`: the entry point under dist/ used without it. */
export function launch(name, modules) {
  const bundled = mtime(`bundle/${name}.js`) >= Math.max(0, mtime('.tsbuildinfo'));
  const entry = new URL(bundled ? `bundle/${name}.js` : modules, dist);
  return import(entry.href).then((m) => m.main(process.argv.slice(2)));
}
