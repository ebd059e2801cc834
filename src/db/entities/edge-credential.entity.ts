import { randomUUID } from 'node:crypto';
import { Entity, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/**
 * An edge-local user of the original's `/v1/login` and `/v1/password` (its `edge_authenticate_rec`). The key is
 * stored only as a scrypt hash (`scrypt$N$r$p$salt$hash`, base64), never in plain text as the original did.
 */
@Entity({ tableName: 'edge_credential' })
export class EdgeCredential {
  [OptionalProps]?: 'id' | 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Unique()
  @Property({ type: 'text' })
  name!: string;

  @Property({ type: 'text', hidden: true })
  keyHash!: string;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
