// Copies the dashboard (web/) and the xterm.js files it uses into dist/web, where berthd serves them
// from: the page then needs nothing from the network. Run by setup.sh after the TypeScript build.
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const out = path.join(root, 'dist', 'web');
fs.mkdirSync(out, { recursive: true });
const files = [
  ...fs.readdirSync(path.join(root, 'web')).map((f) => path.join(root, 'web', f)),
  path.join(root, 'node_modules', '@xterm', 'xterm', 'lib', 'xterm.js'),
  path.join(root, 'node_modules', '@xterm', 'xterm', 'css', 'xterm.css'),
  path.join(root, 'node_modules', '@xterm', 'addon-fit', 'lib', 'addon-fit.js'),
];
for (const f of files) {
  // Written whole to a temp name and renamed: a daemon serving meanwhile never sends half a file.
  const dest = path.join(out, path.basename(f));
  fs.copyFileSync(f, `${dest}.tmp`);
  fs.renameSync(`${dest}.tmp`, dest);
}
console.log(`dashboard: ${files.length} files in ${path.relative(root, out)}`);
