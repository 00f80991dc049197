// The Engine API contract, shared by the daemon's routes, the client and the CLI.
export * from './containers.js';
export * from './images.js';
export * from './system.js';
export * from './volumes.js';
export * from './networks.js';
