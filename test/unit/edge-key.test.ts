import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keyClasses, meetsEdgeKeyPolicy } from '../../src/auth/edge-key-policy.js';
import { hashKey, verifyKey } from '../../src/auth/key-hash.js';

describe('edge key policy (applcm-original.md §3.4)', () => {
  it('counts classes as the original, its special-character range included', () => {
    // The original's own test cases.
    assert.equal(keyClasses('abdsflh'), 1);
    assert.equal(keyClasses('GSHDAK'), 2, 'upper-case letters also fall in the special range )-_');
    assert.equal(keyClasses('3393'), 2, 'so do digits');
    assert.equal(keyClasses('&$%'), 1);
    assert.equal(keyClasses('ab cd`ef'), 1, 'space and backtick are never special');
  });

  it('takes 8–16 bytes (not characters) with two classes, as the original', () => {
    for (const ok of ['Abc@3342', 'sa1Znv&srs', 'abcdefg1', 'ABCDEFGH', 'abcdefgh*', 'Abc@3342Abc@3342']) assert.equal(meetsEdgeKeyPolicy(ok), true, ok);
    for (const bad of ['aB&32', 'invalidpwd', '', 'abcdefgh', 'abc def gh', 'Abc@3342Abc@3342x', 'äöüäöüäöü1']) assert.equal(meetsEdgeKeyPolicy(bad), false, bad);
  });
});

describe('edge key hashes', () => {
  it('verify the key they were made from and no other; each hash has its own salt', async () => {
    const a = await hashKey('Abc@3342');
    const b = await hashKey('Abc@3342');
    assert.notEqual(a, b);
    assert.equal(await verifyKey('Abc@3342', a), true);
    assert.equal(await verifyKey('Abc@3343', a), false);
    assert.equal(a.includes('Abc@3342'), false);
  });

  it('a malformed or outsized stored hash matches nothing (and costs nothing)', async () => {
    const good = await hashKey('Abc@3342');
    const [, , r, p, salt, hash] = good.split('$');
    for (const stored of ['', 'plain-text-key', `bcrypt$32768$${r}$${p}$${salt}$${hash}`, `scrypt$${2 ** 24}$${r}$${p}$${salt}$${hash}`, `scrypt$x$${r}$${p}$${salt}$${hash}`, `scrypt$32768$${r}$${p}$${salt}$`]) {
      assert.equal(await verifyKey('Abc@3342', stored), false, stored);
    }
  });
});
