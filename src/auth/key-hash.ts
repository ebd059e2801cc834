import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { CallSlots, inSlot } from '../plugins/call-slots.js';

/**
 * scrypt at N=2^15, r=8, p=1: 32 MiB and a fifth of a second of one core here per hash. OWASP's 2^17 takes a full
 * second on such a machine; stored hashes name their parameters, so raising them later keeps old keys working.
 */
const PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_BYTES = 32;
const SALT_BYTES = 16;
const MAX_N = 2 ** 20;

/**
 * Hashing takes tens of milliseconds of a libuv thread; two at a time at most, so a flood of logins cannot take every
 * thread from file and DNS work (the rest wait their turn).
 */
const slots = new CallSlots(2);

function derive(key: string, salt: Buffer, o: { N: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { ...o, maxmem: 256 * o.N * o.r };
  return inSlot(slots, () => new Promise<Buffer>((resolve, reject) => scrypt(key, salt, KEY_BYTES, options, (e, k) => (e ? reject(e) : resolve(k)))));
}

/** `scrypt$N$r$p$salt$hash` (base64): the parameters travel with the hash, so they can be raised later. */
export async function hashKey(key: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(key, salt, PARAMS);
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64'), hash.toString('base64')].join('$');
}

/** True when `key` is the one `stored` was made from; compared in constant time. A malformed hash matches nothing. */
export async function verifyKey(key: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, hash] = stored.split('$');
  const o = { N: Number(n), r: Number(r), p: Number(p) };
  if (kind !== 'scrypt' || !salt || !hash || ![o.N, o.r, o.p].every(Number.isSafeInteger) || o.N > MAX_N || o.r > 32 || o.p > 16) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await derive(key, Buffer.from(salt, 'base64'), o);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
