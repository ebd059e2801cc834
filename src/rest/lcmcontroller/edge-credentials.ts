import { randomUUID } from 'node:crypto';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { hashKey, verifyKey } from '../../auth/key-hash.js';
import { EdgeCredential } from '../../db/entities/index.js';
import { DomainError, ErrorCode } from '../../errors.js';
import type { Logger } from '../../observability/logger.js';

export const CREDENTIAL_NOT_FOUND = 'Edge auth info record does not exist in database';

/** A key that does not match: the routes say it in the original's words. */
export const keyMismatch = () => new DomainError(ErrorCode.UNAUTHENTICATED, 'key does not match', { reason: 'KEY_MISMATCH' });

/**
 * The edge-local users of `/v1/login` and `/v1/password` (the original's `edge_authenticate_rec`). The configured
 * user (APPLCM_SHIM_LOGIN_NAME/KEY) is created with its key the first time a credential is looked up, unless a user
 * of that name exists: a key changed through `/v1/password` stays changed across restarts. Keys are kept as scrypt
 * hashes only; nothing here logs or returns one.
 */
export class EdgeCredentials {
  private seeded: Promise<void> | undefined;

  constructor(
    private readonly orm: MikroORM,
    private readonly login: { name: string; key?: string },
    private readonly log: Logger,
  ) {}

  /** The user `name` after checking `key`: NOT_FOUND for an unknown name, UNAUTHENTICATED for a wrong key. */
  async check(em: EntityManager, name: string, key: string): Promise<EdgeCredential> {
    await this.seed();
    const row = await em.findOne(EdgeCredential, { name });
    if (!row) throw new DomainError(ErrorCode.NOT_FOUND, CREDENTIAL_NOT_FOUND);
    if (!(await verifyKey(key, row.keyHash))) throw keyMismatch();
    return row;
  }

  /**
   * Replaces the key of `name` when `key` is its current one. The update is conditional on the hash that was checked,
   * so of two changes racing with the same old key one wins and the other finds the key no longer matches.
   */
  async changeKey(em: EntityManager, name: string, key: string, newKey: string): Promise<void> {
    const row = await this.check(em, name, key);
    const updated = await em.nativeUpdate(EdgeCredential, { id: row.id, keyHash: row.keyHash }, { keyHash: await hashKey(newKey), updatedAt: new Date() });
    if (updated !== 1) throw keyMismatch();
    this.log.info({ user: name }, 'edge login key changed');
  }

  private seed(): Promise<void> {
    const { name, key } = this.login;
    if (key === undefined) return Promise.resolve();
    this.seeded ??= (async () => {
      const em = this.orm.em.fork();
      const inserted = await em
        .getConnection()
        .execute<{ id: string }[]>('insert into edge_credential (id, name, key_hash) values (?, ?, ?) on conflict (name) do nothing returning id', [randomUUID(), name, await hashKey(key)], 'all');
      if (inserted.length) this.log.info({ user: name }, 'edge login user created from APPLCM_SHIM_LOGIN_KEY');
    })().catch((e: unknown) => {
      // Tried again with the next request.
      this.seeded = undefined;
      throw e;
    });
    return this.seeded;
  }
}
