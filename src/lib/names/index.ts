// lib/names: container names, name rules and IDs as Docker makes them.
export { generateName, isFullId, newId, randomName, RESTRICTED_NAME_CHARS, shortId, validateName, validateVolumeName } from './names.js';
export { ADJECTIVES, SURNAMES } from './word-lists.js';
