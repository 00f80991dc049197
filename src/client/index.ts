// The Engine API client: transport, errors, and one function per endpoint.
export * from './api-error.js';
export * from './client.js';
export * from './daemon-host.js';
export * from './json-stream.js';
export * from './demux.js';
export * from './containers.js';
export * from './exec.js';
export * from './images.js';
export * from './volumes.js';
export * from './system.js';
