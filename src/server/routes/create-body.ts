// Type checks of request bodies before they reach a service, through the schemas of
// src/api/body-schema.ts (a number where a string belongs is a 400 in Go's words, not a crash). Cmd and
// Entrypoint may be a single string, which Docker reads as a one-element list.
import { InvalidParameterError } from '../../errors.js';
import type { ContainerCreateRequest } from '../../api/types/containers.js';
import { BodyTypeError, checkBody, ContainerCreateBody, type Schema } from '../../api/body-schema.js';

export function checkCreateBody(b: unknown): ContainerCreateRequest {
  checkedBody(b, ContainerCreateBody, 'container.CreateRequest');
  const out = { ...(b as Record<string, unknown>) } as ContainerCreateRequest & Record<string, unknown>;
  for (const k of ['Cmd', 'Entrypoint'] as const) if (typeof out[k] === 'string') out[k] = [out[k] as unknown as string];
  return out;
}

/** Any body against its schema (src/api/body-schema.ts): a 400 in Go's words when a type is wrong. */
export function checkedBody<T>(b: unknown, schema: Schema, goType: string): T {
  try {
    checkBody(b, schema, goType);
  } catch (e) {
    if (e instanceof BodyTypeError) throw new InvalidParameterError(e.message);
    throw e;
  }
  if (typeof b !== 'object' || b === null || Array.isArray(b)) throw new InvalidParameterError(`json: cannot unmarshal ${b === null ? 'null' : Array.isArray(b) ? 'array' : typeof b} into Go value of type ${goType}`);
  return b as T;
}
