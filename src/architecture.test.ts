// Holds the dependency arrows of shared/ARCHITECTURE.md so nobody has to remember them:
// lib -> nothing (and no I/O modules); cli -> client -> api; server -> engine (never host);
// engine never imports server, cli or client; registry (berth-registry) -> lib only. Reads the TypeScript sources next to the compiled test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url)); // dist/src
const srcRoot = path.resolve(here, '../../src');

function* walk(dir: string): Generator<string> {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* walk(p);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) yield p;
  }
}

function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm)) out.push((m[1] ?? m[2])!);
  return out;
}

/** The top-level area of a path inside src/ ('lib', 'host', 'engine', ...), or 'node:x'/'pkg' for externals. */
function areaOf(fromFile: string, spec: string): string {
  if (!spec.startsWith('.')) return spec;
  const abs = path.resolve(path.dirname(fromFile), spec);
  return path.relative(srcRoot, abs).split(path.sep)[0]!;
}

const IO_MODULES = /^(node:)?(fs|fs\/promises|child_process|net|http|https|dgram|worker_threads)$/;

const rules: Record<string, (target: string) => boolean> = {
  // Pure code: itself, the error kinds and the wire types; no filesystem, processes or sockets.
  lib: (t) => (t.startsWith('.') || ['lib', 'errors.js', 'api'].includes(t) || !IO_MODULES.test(t)) && !['engine', 'host', 'server', 'daemon', 'cli', 'client', 'registry'].includes(t),
  cli: (t) => !['engine', 'host', 'server', 'daemon'].includes(t),
  client: (t) => !['engine', 'host', 'server', 'daemon', 'cli'].includes(t),
  api: (t) => !['engine', 'host', 'server', 'daemon', 'cli', 'client'].includes(t),
  // Routes translate and call services; only the daemon wiring touches host adapters.
  server: (t) => !['host', 'cli', 'client'].includes(t),
  // Services see neither the wire nor the CLI (they may take DaemonConfig and Logger types from daemon/).
  engine: (t) => !['server', 'cli', 'client'].includes(t),
  // Adapters implement engine contracts but never reach up to the API or the CLI.
  host: (t) => !['server', 'cli', 'client'].includes(t),
  // berth-registry stands alone: its own code and the pure lib/, never the engine or the daemon.
  registry: (t) => !['engine', 'host', 'server', 'daemon', 'cli', 'client', 'api', 'errors.js'].includes(t),
};

test('source files respect the dependency arrows', () => {
  const violations: string[] = [];
  for (const file of walk(srcRoot)) {
    const area = path.relative(srcRoot, file).split(path.sep)[0]!;
    const rule = rules[area];
    if (!rule) continue;
    for (const spec of importsOf(file)) {
      const target = areaOf(file, spec);
      if (!rule(target)) violations.push(`${path.relative(srcRoot, file)} imports ${spec}`);
    }
  }
  assert.deepEqual(violations, []);
});

test('the arrow check itself catches a violation', () => {
  assert.equal(rules['lib']!('node:fs'), false);
  assert.equal(rules['lib']!('fs/promises'), false);
  assert.equal(rules['server']!('host'), false);
  assert.equal(rules['cli']!('engine'), false);
  assert.equal(rules['lib']!('lib'), true);
  assert.equal(rules['registry']!('engine'), false);
  assert.equal(rules['registry']!('server'), false);
  assert.equal(rules['registry']!('lib'), true);
  assert.equal(rules['lib']!('registry'), false);
});
