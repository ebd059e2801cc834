import { generateKeyPairSync, createPrivateKey, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { SignJWT } from 'jose';
import { Role } from '../db/entities/enums.js';
import { AUTHORITY_OF } from './principal.js';

export interface DevIdentity {
  privateKeyFile: string;
  publicKeyFile: string;
  /** A stable admin user id for this data directory, so minted tokens and rows agree across restarts. */
  adminUserId: string;
}

/**
 * Creates (once) an ES256 key pair and a dev identity under `<dataDir>/keys`; private key is 0600.
 * Only the embedded mode and `applcm token` use it.
 */
export function ensureDevIdentity(dataDir: string): DevIdentity {
  const dir = path.join(dataDir, 'keys');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const privateKeyFile = path.join(dir, 'jwt-private.pem');
  const publicKeyFile = path.join(dir, 'jwt-public.pem');
  const identityFile = path.join(dir, 'identity.json');
  if (!fs.existsSync(privateKeyFile) || !fs.existsSync(publicKeyFile)) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    fs.writeFileSync(privateKeyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    fs.writeFileSync(publicKeyFile, publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o644 });
  }
  if (!fs.existsSync(identityFile)) {
    fs.writeFileSync(identityFile, JSON.stringify({ adminUserId: randomUUID() }, null, 2), { mode: 0o600 });
  }
  const { adminUserId } = JSON.parse(fs.readFileSync(identityFile, 'utf8')) as { adminUserId: string };
  return { privateKeyFile, publicKeyFile, adminUserId };
}

export interface MintOptions {
  userId: string;
  userName: string;
  roles: Role[];
  ttlSeconds: number;
  issuer?: string;
  audience?: string;
}

/** Signs a token with the dev private key (ES256). */
export async function mintToken(privateKeyFile: string, o: MintOptions): Promise<string> {
  const key = createPrivateKey(fs.readFileSync(privateKeyFile, 'utf8'));
  let jwt = new SignJWT({ userId: o.userId, user_name: o.userName, authorities: o.roles.map((r) => AUTHORITY_OF[r]) })
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + o.ttlSeconds);
  if (o.issuer) jwt = jwt.setIssuer(o.issuer);
  if (o.audience) jwt = jwt.setAudience(o.audience);
  return jwt.sign(key);
}

export const roleFromName = (name: string): Role => {
  const r = name.toUpperCase() as Role;
  if (!Object.values(Role).includes(r)) throw new Error(`unknown role ${name} (admin, tenant or guest)`);
  return r;
};
