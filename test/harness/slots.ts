// Hands each test daemon a bridge name and subnet of its own, so that test files run beside each other
// (and beside a real dockerd on docker0/172.17.0.0/16) without sharing anything. A slot is a directory
// made with mkdir (atomic); a slot whose owner process is gone is taken over.
import fs from 'node:fs';
import path from 'node:path';

const SLOT_DIR = '/run/berth-test-slots';
const SLOTS = 200;

export interface Slot {
  index: number;
  /** The slot's directory: the owner records its base directory there, for sweepDeadSlots(). */
  dir: string;
  /** Bridge name, at most 15 bytes (IFNAMSIZ - 1). */
  bridge: string;
  /** Bridge address in CIDR form for --bip, in 10.213.<index>.0/24. */
  bip: string;
  release(): void;
}

export function takeSlot(): Slot {
  fs.mkdirSync(SLOT_DIR, { recursive: true });
  // Start from a pid-derived offset so concurrent files rarely race for the same slot.
  const start = process.pid % SLOTS;
  for (let k = 0; k < SLOTS; k++) {
    const index = (start + k) % SLOTS;
    const dir = path.join(SLOT_DIR, String(index));
    if (!tryClaim(dir)) continue;
    return {
      index,
      dir,
      bridge: `berthtest${index}`,
      bip: `10.213.${index}.1/24`,
      release: () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  }
  throw new Error(`no free test slot in ${SLOT_DIR}`);
}

function tryClaim(dir: string): boolean {
  try {
    fs.mkdirSync(dir);
  } catch {
    // Taken: reclaim it only if its owner has died.
    let owner = NaN;
    try {
      owner = Number(fs.readFileSync(path.join(dir, 'pid'), 'utf8'));
    } catch {
      return false; // being claimed right now
    }
    if (!Number.isInteger(owner) || alive(owner)) return false;
    fs.rmSync(dir, { recursive: true, force: true });
    try {
      fs.mkdirSync(dir);
    } catch {
      return false;
    }
  }
  fs.writeFileSync(path.join(dir, 'pid'), String(process.pid));
  return true;
}

/** Slots whose owning test process has died (killed before its cleanup ran), with their recorded base. */
export function deadSlots(): { dir: string; base?: string; bridge: string }[] {
  let names: string[];
  try {
    names = fs.readdirSync(SLOT_DIR);
  } catch {
    return [];
  }
  const out: { dir: string; base?: string; bridge: string }[] = [];
  for (const n of names) {
    const dir = path.join(SLOT_DIR, n);
    let owner: number;
    try {
      owner = Number(fs.readFileSync(path.join(dir, 'pid'), 'utf8'));
    } catch {
      continue;
    }
    if (alive(owner)) continue;
    let base: string | undefined;
    try {
      base = fs.readFileSync(path.join(dir, 'base'), 'utf8').trim() || undefined;
    } catch {
      /* claimed but never used */
    }
    out.push({ dir, base, bridge: `berthtest${n}` });
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
