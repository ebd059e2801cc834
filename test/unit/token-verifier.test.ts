import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { exportJWK, SignJWT } from 'jose';
import { createTokenVerifier, keySourceFrom, tokenFromConnectionParams, tokenFromHeaders } from '../../src/auth/token-verifier.js';
import { loadConfig } from '../../src/config.js';
import { DomainError, ErrorCode } from '../../src/errors.js';

const claims = { userId: 'tenant-1', user_name: 'alice', authorities: ['ROLE_MECM_TENANT'] };
const authConfig = (env: Record<string, string>) => loadConfig(env).auth;

async function rejects(p: Promise<unknown>, pattern: RegExp) {
  await assert.rejects(p, (e: unknown) => e instanceof DomainError && e.code === ErrorCode.UNAUTHENTICATED && pattern.test(e.message));
}

describe('ES256 static keys', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();

  it('verifies ES256 and refuses RS256 for an EC key', async () => {
    const cfg = authConfig({ JWT_PUBLIC_KEY: pem });
    const v = createTokenVerifier(cfg, keySourceFrom(cfg));
    const good = await new SignJWT(claims).setProtectedHeader({ alg: 'ES256' }).setIssuedAt().setExpirationTime('1h').sign(privateKey);
    assert.deepEqual(await v.verify(good), { userId: 'tenant-1', userName: 'alice', role: 'TENANT', tenantId: 'tenant-1' });
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const wrongAlg = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256' }).setIssuedAt().setExpirationTime('1h').sign(rsa.privateKey);
    await rejects(v.verify(wrongAlg), /invalid access token/);
  });

  it('checks issuer and audience when configured', async () => {
    const cfg = authConfig({ JWT_PUBLIC_KEY: pem, JWT_ISSUER: 'https://sso.example', JWT_AUDIENCE: 'applcm' });
    const v = createTokenVerifier(cfg, keySourceFrom(cfg));
    const sign = (iss: string, aud: string) => new SignJWT(claims).setProtectedHeader({ alg: 'ES256' }).setIssuer(iss).setAudience(aud).setIssuedAt().setExpirationTime('1h').sign(privateKey);
    assert.equal((await v.verify(await sign('https://sso.example', 'applcm'))).userName, 'alice');
    await rejects(v.verify(await sign('https://evil.example', 'applcm')), /iss/);
    await rejects(v.verify(await sign('https://sso.example', 'other')), /aud/);
  });

  it('refuses keys it cannot verify safely', () => {
    const { publicKey: ed } = generateKeyPairSync('ed25519');
    assert.throws(() => keySourceFrom(authConfig({ JWT_PUBLIC_KEY: ed.export({ type: 'spki', format: 'pem' }).toString() })), /unsupported JWT public key/);
    assert.throws(() => keySourceFrom(authConfig({})), /no JWT verification key/);
  });
});

describe('JWKS', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let server: http.Server;
  let url: string;
  before(async () => {
    const jwk = { ...(await exportJWK(rsa.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    server = http.createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  it('verifies tokens signed by a key of the set and ignores keys the token points at', async () => {
    const cfg = authConfig({ JWT_JWKS_URL: url });
    const v = createTokenVerifier(cfg, keySourceFrom(cfg));
    const good = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuedAt().setExpirationTime('1h').sign(rsa.privateKey);
    assert.equal((await v.verify(good)).tenantId, 'tenant-1');
    // An embedded jwk / jku header must not be trusted.
    const jwk = await exportJWK(attacker.publicKey);
    const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1', jwk, jku: 'http://evil.example/jwks' }).setIssuedAt().setExpirationTime('1h').sign(attacker.privateKey);
    await rejects(v.verify(forged), /invalid access token/);
  });
});

describe('where tokens are read from', () => {
  it('takes Bearer tokens and the original access_token header, nothing else', () => {
    assert.equal(tokenFromHeaders({ authorization: 'Bearer abc' }), 'abc');
    assert.equal(tokenFromHeaders({ authorization: 'bearer abc ' }), 'abc');
    assert.equal(tokenFromHeaders({ access_token: 'xyz' }), 'xyz');
    assert.equal(tokenFromHeaders({ authorization: 'Basic abc' }), undefined);
    assert.equal(tokenFromHeaders({ cookie: 'access_token=abc' }), undefined);
    assert.equal(tokenFromConnectionParams({ authorization: 'Bearer abc' }), 'abc');
    assert.equal(tokenFromConnectionParams({ accessToken: 'abc' }), 'abc');
    assert.equal(tokenFromConnectionParams({ authorization: 42 }), undefined);
    assert.equal(tokenFromConnectionParams(undefined), undefined);
  });
});

describe('configuration', () => {
  it('names every invalid variable', () => {
    assert.throws(() => loadConfig({ APPLCM_PORT: '70000', APPLCM_GQL_MAX_DEPTH: 'deep', NODE_ENV: 'staging' }), (e: Error) => /APPLCM_PORT/.test(e.message) && /APPLCM_GQL_MAX_DEPTH/.test(e.message) && /NODE_ENV/.test(e.message));
  });
  it('has defaults for everything in the embedded mode', () => {
    const c = loadConfig({});
    assert.equal(c.http.port, 8094);
    assert.equal(c.graphql.introspection, true);
    assert.equal(loadConfig({ NODE_ENV: 'production' }).graphql.introspection, false);
    assert.equal(loadConfig({ NODE_ENV: 'production', APPLCM_INTROSPECTION: 'true' }).graphql.introspection, true);
  });
});
