// Random container names in Docker's adjective_surname style. A local stand-in until src/lib/names
// exists; the service only calls generateName(retry).
import { randomInt } from 'node:crypto';

const LEFT = ['admiring', 'bold', 'brave', 'clever', 'dazzling', 'eager', 'elegant', 'festive', 'focused', 'gifted', 'happy', 'jolly', 'keen', 'loving', 'modest', 'nifty', 'optimistic', 'peaceful', 'quirky', 'relaxed', 'serene', 'sharp', 'stoic', 'tender', 'trusting', 'upbeat', 'vibrant', 'wizardly', 'youthful', 'zealous'];
const RIGHT = ['albattani', 'babbage', 'curie', 'darwin', 'einstein', 'feynman', 'galileo', 'hopper', 'hypatia', 'kepler', 'lamport', 'lovelace', 'mccarthy', 'meitner', 'newton', 'noether', 'pasteur', 'ritchie', 'shannon', 'thompson', 'turing', 'wozniak'];

export function generateName(retry = false): string {
  const name = `${LEFT[randomInt(LEFT.length)]}_${RIGHT[randomInt(RIGHT.length)]}`;
  // Docker appends a digit on retries to make collisions less likely.
  return retry ? `${name}${randomInt(10)}` : name;
}
