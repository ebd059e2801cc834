import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError, ErrorCode, badInput } from '../../src/errors.js';
import { failureOf } from '../../src/rest/lcmcontroller/envelope.js';
import { RetCode } from '../../src/rest/lcmcontroller/ret-codes.js';

const catalogue = new Set<number>(Object.values(RetCode));

describe('DomainError → the original status and retCode', () => {
  it('every error code answers a 4xx/5xx status and a retCode of the original catalogue, in the E2 envelope', () => {
    for (const code of Object.values(ErrorCode)) {
      const { status, body } = failureOf(new DomainError(code, 'why'));
      assert.ok(status >= 400 && status < 600, code);
      assert.ok(catalogue.has(body.retCode) && body.retCode !== RetCode.SUCCESS, `${code} → ${body.retCode}`);
      assert.deepEqual(Object.keys(body), ['data', 'retCode', 'message', 'params']);
      assert.equal(body.data, null);
      assert.equal(body.params, null);
    }
  });

  it('the original texts for authentication, and the domain message otherwise', () => {
    assert.deepEqual(failureOf(new DomainError(ErrorCode.UNAUTHENTICATED, 'token expired')), { status: 401, body: { data: null, retCode: 31001, message: 'Authorization failed', params: null } });
    assert.deepEqual(failureOf(new DomainError(ErrorCode.FORBIDDEN, 'guests may only read')), { status: 403, body: { data: null, retCode: 31000, message: 'forbidden', params: null } });
    assert.equal(failureOf(new DomainError(ErrorCode.CONFLICT, 'in use')).body.message, 'in use');
  });

  it('a route’s field texts and code overrides win; indexed fields use their list’s entry', () => {
    const spec = {
      fields: { hwCapabilities: { retCode: RetCode.BAD_REQUEST, message: 'Hardware capabilities are invalid' } },
      codes: { [ErrorCode.NOT_FOUND]: { status: 404, retCode: RetCode.RECORD_NOT_EXIST, message: 'records does not exist' } },
    };
    assert.deepEqual(failureOf(badInput('hwCapabilities[2].hwType', 'bad'), spec).body, { data: null, retCode: 31400, message: 'Hardware capabilities are invalid', params: null });
    assert.deepEqual(failureOf(new DomainError(ErrorCode.NOT_FOUND, 'x'), spec), { status: 404, body: { data: null, retCode: 31303, message: 'records does not exist', params: null } });
    assert.equal(failureOf(badInput('other', 'plain text'), spec).body.message, 'plain text', 'a field the route does not name keeps our message');
  });
});
