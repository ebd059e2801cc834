import { Migration } from '@mikro-orm/migrations';

export class Migration20261129193156 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "edge_credential" ("id" uuid not null, "name" text not null, "key_hash" text not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "edge_credential_pkey" primary key ("id"));`);
    this.addSql(`alter table "edge_credential" add constraint "edge_credential_name_unique" unique ("name");`);

    this.addSql(`create table "shim_sync_state" ("caller" text not null, "scope" text not null, "feed" text not null, "confirmed" bigint not null default '0', "sent" bigint null, "sent_complete" boolean not null default false, "updated_at" timestamptz not null default now(), constraint "shim_sync_state_pkey" primary key ("caller", "scope", "feed"));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "edge_credential" cascade;`);

    this.addSql(`drop table if exists "shim_sync_state" cascade;`);
  }

}
