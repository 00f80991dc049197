// The OCI image vocabulary in one import.
export * from './digest.js';
export * from './media-types.js';
export * from './types.js';
export * from './chain-id.js';
