import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DomainError, ErrorCode } from '../errors.js';

const SEALED = 'aes-256-gcm:v1';

interface Sealed {
  sealed: typeof SEALED;
  iv: string;
  tag: string;
  data: string;
}

const isSealed = (v: Record<string, unknown>): v is Record<string, unknown> & Sealed => v.sealed === SEALED;

/**
 * Seals an instance's AK/SK and secret parameters at rest (AES-256-GCM, a fresh IV per value) with the key given in
 * APPLCM_SECRETS_KEY or APPLCM_SECRETS_KEY_FILE (the embedded default makes one in its data dir). Without a key they
 * are stored as they are, as before; rows written either way are read either way.
 */
export class SecretBox {
  constructor(private readonly key: Buffer | null) {
    if (key && key.length !== 32) throw new Error('the secrets key must be 32 bytes');
  }

  get sealing(): boolean {
    return this.key !== null;
  }

  seal(v: Record<string, string>): Record<string, unknown> {
    if (!this.key) return v;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(JSON.stringify(v), 'utf8'), cipher.final()]);
    return { sealed: SEALED, iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') } satisfies Sealed;
  }

  open(v: Record<string, unknown>): Record<string, string> {
    if (!isSealed(v)) return v as Record<string, string>;
    if (!this.key) throw unreadable('this controller has no secrets key (APPLCM_SECRETS_KEY)');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(v.iv, 'base64'));
      decipher.setAuthTag(Buffer.from(v.tag, 'base64'));
      const text = Buffer.concat([decipher.update(Buffer.from(v.data, 'base64')), decipher.final()]).toString('utf8');
      return JSON.parse(text) as Record<string, string>;
    } catch {
      throw unreadable('they were sealed with another key than APPLCM_SECRETS_KEY');
    }
  }
}

const unreadable = (why: string) => new DomainError(ErrorCode.INTERNAL_SERVER_ERROR, `the instance's AK/SK cannot be read: ${why}`, { reason: 'SECRETS_KEY' });

/** A key as configured: base64 of 32 bytes. */
export function parseSecretsKey(text: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) throw new Error('APPLCM_SECRETS_KEY must be the base64 of 32 random bytes (openssl rand -base64 32)');
  return key;
}

/** The configured key (APPLCM_SECRETS_KEY, else APPLCM_SECRETS_KEY_FILE), or null when none is. */
export function secretsKeyFrom(c: { key?: string; keyFile?: string }): Buffer | null {
  if (c.key) return parseSecretsKey(c.key);
  if (c.keyFile) return parseSecretsKey(fs.readFileSync(c.keyFile, 'utf8'));
  return null;
}

/** The embedded default's key: made once under `<dataDir>/keys` (0600), kept across restarts. */
export function ensureDevSecretsKey(dataDir: string): Buffer {
  const dir = path.join(dataDir, 'keys');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, 'secrets.key');
  if (!fs.existsSync(file)) fs.writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600 });
  return parseSecretsKey(fs.readFileSync(file, 'utf8'));
}
