import { Migration } from '@mikro-orm/migrations';

export class Migration20261129144303 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "lcm_operation" add column "progress" jsonb null, add column "created_by" text null, add column "started_at" timestamptz null;`);

    this.addSql(`alter table "package_distribution" add column "operation_id" uuid null;`);

    // Event sequence numbers are drawn again at commit time, under a transaction-scoped lock, so transactions that
    // append events commit in sequence order: a reader that follows the sequence (subscriptions, the change feed)
    // can never pass a row that commits later with a smaller number. The lock is taken by a deferred trigger, as
    // the very last thing a transaction does, so it cannot deadlock with the row locks the transaction took before
    // (taking it at insert time did, for two transactions inserting the same instance).
    this.addSql(`create or replace function applcm_event_serialize() returns trigger language plpgsql as $$
begin
  perform pg_advisory_xact_lock(7317001);
  update "event" set seq = nextval(pg_get_serial_sequence('event', 'seq')) where seq = new.seq;
  return null;
end $$;`);
    this.addSql(`create constraint trigger event_serialize after insert on "event" deferrable initially deferred for each row execute function applcm_event_serialize();`);
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
    this.addSql(`drop trigger if exists event_serialize on "event";`);
    this.addSql(`drop function if exists applcm_event_serialize();`);
    this.addSql(`alter table "lcm_operation" drop column "progress", drop column "created_by", drop column "started_at";`);

    this.addSql(`alter table "package_distribution" drop column "operation_id";`);
  }

}
