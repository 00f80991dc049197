// Exec endpoints: create an exec instance, start it (hijacked unless detached), resize, inspect.
import type { ExecCreateRequest, ExecInspect, ExecStartRequest } from '../api/types/index.js';
import type { Client, HijackedStream } from './client.js';

const enc = encodeURIComponent;

export function execCreate(c: Client, containerId: string, body: ExecCreateRequest): Promise<{ Id: string }> {
  return c.json('POST', `/containers/${enc(containerId)}/exec`, { json: body });
}

/** Starts an attached exec: the connection is hijacked like attach. */
export function execStartAttached(c: Client, execId: string, body: ExecStartRequest): Promise<HijackedStream> {
  return c.hijack('POST', `/exec/${enc(execId)}/start`, { json: { ...body, Detach: false } });
}

export function execStartDetached(c: Client, execId: string, body: ExecStartRequest = {}): Promise<number> {
  return c.noContent('POST', `/exec/${enc(execId)}/start`, { json: { ...body, Detach: true } });
}

export function execResize(c: Client, execId: string, h: number, w: number): Promise<number> {
  return c.noContent('POST', `/exec/${enc(execId)}/resize`, { query: { h, w } });
}

export function execInspect(c: Client, execId: string): Promise<ExecInspect> {
  return c.json('GET', `/exec/${enc(execId)}/json`);
}
