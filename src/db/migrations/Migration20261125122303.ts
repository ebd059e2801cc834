import { Migration } from '@mikro-orm/migrations';

export class Migration20261125122303 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "app_package" add column "received_bytes" bigint not null default 0, add column "artifacts" jsonb null, add column "source_url" text null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "app_package" drop column "received_bytes", drop column "artifacts", drop column "source_url";`);
  }

}
