import { Migration } from '@mikro-orm/migrations';

export class Migration20261129144303 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "lcm_operation" add column "progress" jsonb null, add column "created_by" text null, add column "started_at" timestamptz null;`);

    this.addSql(`alter table "package_distribution" add column "operation_id" uuid null;`);
    this.addSql(`create index "lcm_operation_instance_history_idx" on "lcm_operation" ("instance_id", "created_at" desc, "id" desc);`);
    this.addSql(`create index "lcm_operation_created_at_id_index" on "lcm_operation" ("created_at", "id");`);

    // Readers follow `position`, not `seq`: `seq` is drawn at insert and transactions commit in any order, so a reader
    // following it could pass a row that commits later with a smaller number. Positions are handed out after commit,
    // to committed rows only, by one sequencer at a time (src/events/event-sequencer.ts), so they only ever grow.
    this.addSql(`alter table "event" add column "position" bigint null;`);
    this.addSql(`create unique index "event_position_unique" on "event" ("position") where "position" is not null;`);
    this.addSql(`create index "event_unpositioned_idx" on "event" ("seq") where "position" is null;`);
    this.addSql(`create index "event_subject_id_seq_index" on "event" ("subject_id", "seq");`);
    // Wakes every replica's event tailer when events commit (delivered at commit, collapsed within a transaction).
    this.addSql(`create or replace function applcm_event_notify() returns trigger language plpgsql as $$
begin
  perform pg_notify('applcm_events', '');
  return null;
end $$;`);
    this.addSql(`create trigger event_notify after insert on "event" for each statement execute function applcm_event_notify();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists event_notify on "event";`);
    this.addSql(`drop function if exists applcm_event_notify();`);
    this.addSql(`alter table "event" drop column "position";`);
    this.addSql(`alter table "lcm_operation" drop column "progress", drop column "created_by", drop column "started_at";`);

    this.addSql(`alter table "package_distribution" drop column "operation_id";`);
  }

}
