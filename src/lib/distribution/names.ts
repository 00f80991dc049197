// Repository names and tags as the distribution spec defines them: path components of lowercase
// alphanumerics joined by one of `.`, `_`, `__` or dashes, separated by `/`, at most 255 characters in
// all (distribution's limit); tags `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`.
import { RegistryError } from './errors.js';

const COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
const TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
export const NAME_MAX = 255;

export function isValidRepositoryName(name: string): boolean {
  if (name.length === 0 || name.length > NAME_MAX) return false;
  return name.split('/').every((c) => COMPONENT.test(c));
}

/** NAME_INVALID (400) unless `name` is a valid repository name. */
export function checkRepositoryName(name: string): string {
  if (!isValidRepositoryName(name)) throw new RegistryError('NAME_INVALID', 'invalid repository name', { name: name.slice(0, 300) });
  return name;
}

export function isValidTag(tag: string): boolean {
  return TAG.test(tag);
}
