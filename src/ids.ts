import { randomFillSync } from "node:crypto";

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
const RANDOM_CHARS = 16;

// Random bytes drawn from the system's CSPRNG a block at a time: one call per 256 ids instead of
// one per id (a call each was some 6 % of a callback's CPU). Each byte is used once.
const POOL_BYTES = RANDOM_CHARS * 256;
const pool = Buffer.alloc(POOL_BYTES);
let offset = POOL_BYTES;

/**
 * Opaque, prefixed, time-ordered ids (`pay_01j…`): the first 10 characters encode the millisecond so
 * ids sort by creation on both database engines; 16 random characters make them unguessable.
 */
export function newId(prefix: string, now: number = Date.now()): string {
  let time = "";
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  if (offset === POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  let rand = "";
  // 256 is a multiple of 32: `b % 32` takes every character alike.
  for (let i = offset; i < offset + RANDOM_CHARS; i++) rand += ALPHABET[(pool[i] as number) % 32];
  offset += RANDOM_CHARS;
  return `${prefix}_${time}${rand}`;
}
