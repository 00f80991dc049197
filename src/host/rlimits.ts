// The host's hard resource limits (from /proc/self/limits), keyed by OCI rlimit name, so the spec
// builder can clamp container rlimits: without CAP_SYS_RESOURCE, runc fails on anything higher.
import fs from 'node:fs';

/** /proc/self/limits row label -> OCI rlimit type. */
const LABELS: Record<string, string> = {
  'Max cpu time': 'RLIMIT_CPU',
  'Max file size': 'RLIMIT_FSIZE',
  'Max data size': 'RLIMIT_DATA',
  'Max stack size': 'RLIMIT_STACK',
  'Max core file size': 'RLIMIT_CORE',
  'Max resident set': 'RLIMIT_RSS',
  'Max processes': 'RLIMIT_NPROC',
  'Max open files': 'RLIMIT_NOFILE',
  'Max locked memory': 'RLIMIT_MEMLOCK',
  'Max address space': 'RLIMIT_AS',
  'Max file locks': 'RLIMIT_LOCKS',
  'Max pending signals': 'RLIMIT_SIGPENDING',
  'Max msgqueue size': 'RLIMIT_MSGQUEUE',
  'Max nice priority': 'RLIMIT_NICE',
  'Max realtime priority': 'RLIMIT_RTPRIO',
  'Max realtime timeout': 'RLIMIT_RTTIME',
};

/** Parses the text of /proc/<pid>/limits; "unlimited" becomes Infinity. */
export function parseProcLimits(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    for (const [label, type] of Object.entries(LABELS)) {
      if (!line.startsWith(label + ' ')) continue;
      // Columns after the label: soft, hard, [units].
      const cols = line.slice(label.length).trim().split(/\s+/);
      const hard = cols[1];
      if (hard === undefined) continue;
      out[type] = hard === 'unlimited' ? Infinity : Number(hard);
    }
  }
  return out;
}

let cached: Record<string, number> | undefined;

/** The hard limits of this process (which containers inherit through conmon and runc). Read once. */
export function readHostHardLimits(): Record<string, number> {
  if (!cached) cached = parseProcLimits(fs.readFileSync('/proc/self/limits', 'utf8'));
  return { ...cached };
}
