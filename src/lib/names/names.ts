// Container names and IDs as Docker makes and checks them: random adjective_surname names (with a
// digit on retries, then the short ID), the name rule, 64-hex IDs and their 12-character short form.
import { ConflictError, InvalidParameterError } from '../../errors.js';
import { goQuote } from '../format/go-fmt.js';
import { ADJECTIVES, SURNAMES } from './word-lists.js';

/** Docker's RestrictedNameChars, quoted in its error messages. */
export const RESTRICTED_NAME_CHARS = '[a-zA-Z0-9][a-zA-Z0-9_.-]';
const CONTAINER_NAME = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
const RESTRICTED_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

const pick = <T>(list: readonly T[], random: () => number): T => list[Math.min(Math.floor(random() * list.length), list.length - 1)]!;

/** One adjective_surname name; `retry` > 0 appends a digit, as Docker's GetRandomName(retry) does. */
export function randomName(random: () => number, retry = 0): string {
  const name = `${pick(ADJECTIVES, random)}_${pick(SURNAMES, random)}`;
  return retry > 0 ? `${name}${Math.min(Math.floor(random() * 10), 9)}` : name;
}

/**
 * A free container name: six tries as Docker's daemon makes (the first plain, then with a digit), then
 * the container's short ID when `fallbackId` is given. `taken` answers whether a name is in use.
 */
export function generateName(random: () => number, taken: (name: string) => boolean, fallbackId?: string): string {
  for (let i = 0; i < 6; i++) {
    const name = randomName(random, i);
    if (!taken(name)) return name;
  }
  if (fallbackId !== undefined) {
    const short = shortId(fallbackId);
    if (!taken(short)) return short;
  }
  throw new ConflictError('could not find a free container name; try again or give one with --name');
}

/**
 * Docker's container-name rule. Returns the name without the leading "/" Docker allows; throws
 * InvalidParameterError with Docker's message otherwise.
 */
export function validateName(name: string): string {
  if (!CONTAINER_NAME.test(name)) throw new InvalidParameterError(`Invalid container name (${name}), only ${RESTRICTED_NAME_CHARS} are allowed`);
  return name.startsWith('/') ? name.slice(1) : name;
}

/**
 * The local volume driver's name rule, with its messages (the caller adds Docker's "create NAME: "
 * prefix).
 */
export function validateVolumeName(name: string): void {
  if (name.length === 1) throw new InvalidParameterError('volume name is too short, names should be at least two alphanumeric characters');
  if (!RESTRICTED_NAME.test(name)) {
    throw new InvalidParameterError(
      `${goQuote(name)} includes invalid characters for a local volume name, only ${goQuote(RESTRICTED_NAME_CHARS)} are allowed. If you intended to pass a host directory, use absolute path`,
    );
  }
}

/** The 12-character short form of an ID (any "sha256:" style prefix dropped), as stringid.TruncateID. */
export function shortId(id: string): string {
  const colon = id.indexOf(':');
  const bare = colon >= 0 ? id.slice(colon + 1) : id;
  return bare.length > 12 ? bare.slice(0, 12) : bare;
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/**
 * A new 64-hex ID from 32 random bytes. Like Docker's stringid.GenerateRandomID, an ID whose short
 * form is all digits is drawn again: it would read as a number where the short ID is the hostname.
 */
export function newId(randomBytes: (n: number) => Uint8Array): string {
  for (;;) {
    const id = hex(randomBytes(32));
    if (!/^[0-9]+$/.test(shortId(id))) return id;
  }
}

/** A full 64-hex ID. */
export function isFullId(s: string): boolean {
  return /^[0-9a-f]{64}$/.test(s);
}
