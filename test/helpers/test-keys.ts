import { createHmac, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';

/** A signing key pair the test server trusts (RS256, as EdgeGallery deployments use). */
export interface TestKeys {
  privateKey: KeyObject;
  publicKeyPem: string;
}

export function generateTestKeys(): TestKeys {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

export interface Claims {
  userId?: unknown;
  user_name?: unknown;
  authorities?: unknown;
  [k: string]: unknown;
}

export const AUTH = { admin: 'ROLE_MECM_ADMIN', tenant: 'ROLE_MECM_TENANT', guest: 'ROLE_MECM_GUEST' } as const;

/** Signs claims with RS256; `exp` defaults to one hour ahead, `iat` to now. */
export async function signToken(keys: TestKeys, claims: Claims, opts: { exp?: number | null; nbf?: number; iat?: number } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  let jwt = new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'JWT' }).setIssuedAt(opts.iat ?? now);
  if (opts.exp !== null) jwt = jwt.setExpirationTime(opts.exp ?? now + 3600);
  if (opts.nbf !== undefined) jwt = jwt.setNotBefore(opts.nbf);
  return jwt.sign(keys.privateKey);
}

export function tokenFor(keys: TestKeys, role: keyof typeof AUTH, userId: string, userName = `${role}-user`): Promise<string> {
  return signToken(keys, { userId, user_name: userName, authorities: [AUTH[role]] });
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** An unsigned token (`alg: none`). */
export function unsignedToken(claims: Claims): string {
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, exp: Math.floor(Date.now() / 1000) + 3600 })}.`;
}

/** The key-confusion attack: HS256 with the server's public key PEM as the HMAC secret. */
export function hs256WithPublicKey(keys: TestKeys, claims: Claims): string {
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ ...claims, exp: Math.floor(Date.now() / 1000) + 3600 })}`;
  return `${head}.${createHmac('sha256', keys.publicKeyPem).update(head).digest('base64url')}`;
}

/** A valid token whose payload was edited afterwards (signature no longer matches). */
export function tamperedToken(token: string, claims: Claims): string {
  const [h, , s] = token.split('.');
  return `${h}.${b64({ ...claims, exp: Math.floor(Date.now() / 1000) + 3600 })}.${s}`;
}
