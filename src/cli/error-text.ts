// How an error reads on stderr, as the docker CLI prints it: daemon answers prefixed with
// "Error response from daemon: ", everything else as its message.
import { ApiError } from '../client/api-error.js';

export function errorText(e: unknown): string {
  if (e instanceof ApiError) return `Error response from daemon: ${e.message}`;
  return (e as Error)?.message ?? String(e);
}
