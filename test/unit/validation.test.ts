import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '../../src/errors.js';
import { validateHostFields } from '../../src/services/host.validation.js';
import { checkIpv4, checkText, CITY_RE, NAME_RE } from '../../src/services/validation.js';

const fieldOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof DomainError);
    assert.equal(e.code, 'BAD_USER_INPUT');
    return String(e.details.field);
  }
  return undefined;
};

describe('IPv4 addresses', () => {
  it('accepts dotted quads in range', () => {
    for (const ip of ['1.2.3.4', '10.0.0.1', '192.168.255.255', '127.0.0.1', '223.255.255.254', '100.64.0.1']) assert.equal(checkIpv4(ip), ip);
  });
  it('refuses malformed and unusable addresses', () => {
    for (const ip of ['', '1.2.3', '1.2.3.4.5', '256.0.0.1', '01.2.3.4', '1.2.3.04', '0x7f.0.0.1', '127.1', ' 1.2.3.4', '1.2.3.4\n', '::1', '::ffff:1.2.3.4', '0.0.0.0', '0.1.2.3', '169.254.169.254', '224.0.0.1', '255.255.255.255', '١.٢.٣.٤']) {
      assert.equal(fieldOf(() => checkIpv4(ip)), 'ip', JSON.stringify(ip));
    }
  });
});

describe('the original name patterns', () => {
  it('NAME_RE allows letters and digits of any script with - or _ inside only', () => {
    for (const ok of ['a', 'edge-1', 'edge_1', '边缘-节点', 'Ωmega9', '']) assert.ok(NAME_RE.test(ok), ok);
    for (const bad of ['-a', 'a-', '_a', 'a b', 'a.b', 'a/b', 'a;b', '😀', 'a\u200db']) assert.ok(!NAME_RE.test(bad), bad);
  });
  it('CITY_RE allows / and spaces inside, but no other whitespace', () => {
    assert.ok(CITY_RE.test('Xi an/Gaoxin'));
    assert.ok(!CITY_RE.test('Xi\tan'));
    assert.ok(!CITY_RE.test('Xi\nan'));
  });
  it('caps bytes, not characters', () => {
    assert.equal(checkText('边'.repeat(42), { field: 'name', maxBytes: 128 }), '边'.repeat(42)); // 126 bytes
    assert.equal(fieldOf(() => checkText('边'.repeat(43), { field: 'name', maxBytes: 128 })), 'name');
  });
  it('refuses control and bidirectional-override characters in free text', () => {
    for (const s of ['a\u0000b', 'a\rb', 'a\u202Eb', 'a\u200Bb']) assert.equal(fieldOf(() => checkText(s, { field: 'address', maxBytes: 256 })), 'address');
  });
});

describe('host fields', () => {
  it('normalises vim and origin', () => {
    assert.deepEqual(validateHostFields({ ip: '1.2.3.4', name: 'e', vim: 'OpenStack', origin: 'mepm' }, true), { ip: '1.2.3.4', name: 'e', vim: 'openstack', origin: 'MEPM' });
  });
  it('requires ip and name only when creating', () => {
    assert.equal(fieldOf(() => validateHostFields({ name: 'e' }, true)), 'ip');
    assert.deepEqual(validateHostFields({ city: 'Xian' }, false), { city: 'Xian' });
  });
});
