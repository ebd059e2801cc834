import { createPublicKey, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import type { Config } from '../config.js';
import { DomainError, ErrorCode } from '../errors.js';
import { effectiveRole, type Principal } from './principal.js';

export interface TokenVerifier {
  /** Verifies a raw JWT; resolves the caller or throws an UNAUTHENTICATED DomainError. */
  verify(token: string | undefined | null): Promise<Principal>;
}

const claimsSchema = z.object({
  userId: z.string().min(1).max(128),
  user_name: z.string().min(1).max(256),
  authorities: z.array(z.string().max(128)).max(64),
});

const unauthenticated = (message: string) => new DomainError(ErrorCode.UNAUTHENTICATED, message);

/** The algorithm a static key verifies; only asymmetric algorithms, so a public key can never be an HMAC secret. */
function algorithmsFor(key: KeyObject): string[] {
  if (key.asymmetricKeyType === 'rsa') return ['RS256'];
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return ['ES256'];
  throw new Error(`unsupported JWT public key type ${key.asymmetricKeyType ?? 'unknown'} (use RSA or EC P-256)`);
}

export interface KeySource {
  key: KeyObject | JWTVerifyGetKey;
  algorithms: string[];
}

/** Picks the verification key: JWKS URL, PEM in the environment, or a PEM file (the dev key in embedded mode). */
export function keySourceFrom(auth: Config['auth'], fallbackPemFile?: string): KeySource {
  if (auth.jwksUrl) return { key: createRemoteJWKSet(new URL(auth.jwksUrl)), algorithms: ['RS256', 'ES256'] };
  const pem = auth.publicKeyPem ?? (auth.publicKeyFile ?? fallbackPemFile ? fs.readFileSync((auth.publicKeyFile ?? fallbackPemFile)!, 'utf8') : undefined);
  if (!pem) {
    throw new Error('no JWT verification key: set JWT_PUBLIC_KEY, JWT_PUBLIC_KEY_FILE or JWT_JWKS_URL (applcm never runs without authentication)');
  }
  const key = createPublicKey(pem.replace(/\\n/g, '\n'));
  return { key, algorithms: algorithmsFor(key) };
}

/** How many verified tokens are remembered, and for how long at most (a rotated JWKS key takes effect within it). */
const CACHE_ENTRIES = 1024;
const CACHE_MS = 60_000;

export function createTokenVerifier(auth: Config['auth'], source: KeySource): TokenVerifier {
  // A portal or orchestrator sends the same token with every request; checking its signature each time costs more
  // than the rest of a small request. A verified token is remembered until it expires (at most CACHE_MS); failures
  // are not remembered.
  const verified = new Map<string, { principal: Principal; until: number }>();
  return {
    async verify(token) {
      if (!token) throw unauthenticated('missing access token');
      if (token.length > 8192) throw unauthenticated('invalid access token');
      const hit = verified.get(token);
      if (hit && Date.now() < hit.until) return hit.principal;
      if (hit) verified.delete(token);
      const { principal, exp } = await check(token);
      if (verified.size >= CACHE_ENTRIES) verified.delete(verified.keys().next().value!);
      verified.set(token, { principal, until: Math.min(Date.now() + CACHE_MS, exp === undefined ? Infinity : exp * 1000) });
      return principal;
    },
  };

  async function check(token: string): Promise<{ principal: Principal; exp: number | undefined }> {
    let payload: { exp?: number } & Record<string, unknown>;
    try {
      const result = await jwtVerify(token, source.key as KeyObject, {
        algorithms: source.algorithms,
        issuer: auth.issuer,
        audience: auth.audience,
        clockTolerance: auth.clockToleranceS,
        requiredClaims: auth.requireExp ? ['exp'] : [],
      });
      payload = result.payload;
      // jose checks iat only against a maximum age; a token minted in the future is as suspect as an expired one.
      const iat = result.payload.iat;
      if (typeof iat === 'number' && iat > Date.now() / 1000 + auth.clockToleranceS) throw unauthenticated('access token rejected: issued in the future');
    } catch (e) {
      if (e instanceof DomainError) throw e;
      if (e instanceof joseErrors.JWTExpired) throw unauthenticated('access token expired');
      if (e instanceof joseErrors.JWTClaimValidationFailed) throw unauthenticated(`access token rejected: ${e.claim} claim check failed`);
      throw unauthenticated('invalid access token');
    }
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) {
      const claim = claims.error.issues[0]?.path[0];
      throw unauthenticated(`access token rejected: claim ${String(claim)} missing or malformed`);
    }
    const role = effectiveRole(claims.data.authorities);
    if (!role) throw unauthenticated('access token carries no MECM authority');
    return { principal: { userId: claims.data.userId, userName: claims.data.user_name, role, tenantId: claims.data.userId }, exp: typeof payload.exp === 'number' ? payload.exp : undefined };
  }
}

/** The raw token from `Authorization: Bearer …` or the original's `access_token` header. */
export function tokenFromHeaders(headers: Record<string, string | string[] | undefined>): string | undefined {
  const pick = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const auth = pick(headers.authorization);
  if (auth) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return m ? m[1] : undefined;
  }
  return pick(headers.access_token) || undefined;
}

/** The raw token from graphql-ws `connection_init` payload. */
export function tokenFromConnectionParams(params: Readonly<Record<string, unknown>> | undefined): string | undefined {
  if (!params) return undefined;
  for (const k of ['authorization', 'Authorization', 'access_token', 'accessToken']) {
    const v = params[k];
    if (typeof v === 'string' && v) return v.replace(/^Bearer\s+/i, '');
  }
  return undefined;
}
