// /debug/vars, served only when the daemon runs at debug level (dockerd serves its /debug endpoints
// only with -D). The daemon's memory as Node sees it; `?gc=1` collects garbage first, as Go's heap
// profile endpoint does with gc=1, so a leak can be told from memory not yet given back (the hang-up
// suite relies on it).
import v8 from 'node:v8';
import vm from 'node:vm';
import type { Router } from '../http-server.js';

let collect: (() => void) | null = null;

/** V8's gc(), reached without starting Node with --expose-gc. */
function gc(): void {
  if (!collect) {
    v8.setFlagsFromString('--expose-gc');
    collect = vm.runInNewContext('gc') as () => void;
  }
  collect();
}

export function registerDebugRoutes(r: Router): void {
  r.get('/debug/vars', (ctx) => {
    if (ctx.bool('gc')) {
      // Twice: the first pass can leave objects whose finalizers free more.
      gc();
      gc();
    }
    ctx.sendJson(200, { memstats: process.memoryUsage() });
  });
}
