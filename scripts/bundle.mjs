// Bundles each program's compiled modules (dist/src, from tsc) into one file under dist/bundle, which
// the launchers in bin/ load when it is at least as new as the compile. Node's ES module loader costs
// about a millisecond per file on this VM, and berthd is ~300 files: loading them one by one took
// ~330 ms of each daemon start, and the npm packages' own files another ~75: one file loads in ~95 ms
// (measured by importing each way, three times). The npm packages are bundled too, except
// node-unix-socket, whose native addon must be loaded from node_modules (and ws's optional native
// helpers, which it does without when they are absent). Names are kept, so error classes and stack
// traces read as in the sources. The banner gives the packages written as CommonJS a real `require`
// for Node's built-in modules, which an ES module bundle has no other way to reach.
//
//   node scripts/bundle.mjs      (run by `npm run build` and by scripts/setup.sh after tsc)
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const out = path.join(root, 'dist', 'bundle');
const programs = {
  berthd: 'dist/src/daemon/main.js',
  berth: 'dist/src/cli/main.js',
  'berth-registry': 'dist/src/registry/main.js',
};

fs.mkdirSync(out, { recursive: true });
for (const [name, entry] of Object.entries(programs)) {
  const dest = path.join(out, `${name}.js`);
  // Written to a temp name and renamed: a launcher starting meanwhile never loads half a file.
  await build({
    entryPoints: [path.join(root, entry)],
    outfile: `${dest}.tmp`,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['node-unix-socket', 'bufferutil', 'utf-8-validate'],
    banner: { js: "import { createRequire as __berthCreateRequire } from 'node:module'; const require = __berthCreateRequire(import.meta.url);" },
    keepNames: true,
    logLevel: 'warning',
  });
  fs.renameSync(`${dest}.tmp`, dest);
}
console.log(`bundle: ${Object.keys(programs).length} programs in ${path.relative(root, out)}`);
