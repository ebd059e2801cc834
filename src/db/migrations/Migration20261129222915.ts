import { Migration } from '@mikro-orm/migrations';

export class Migration20261129222915 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "tenant_instance_count" ("tenant_id" text not null, "shard" smallint not null, "instances" int not null default 0, constraint "tenant_instance_count_pkey" primary key ("tenant_id", "shard"));`);

    // The instance quota read a count of the tenant's instances on every instantiate, a cost growing with the tenant.
    // These triggers keep the count instead, whatever statement adds or removes instances (instantiate, a rollback or
    // terminate deleting the row, a cascade). Each transaction adds to one of 32 shards, chosen by its id: concurrent
    // instantiates of one tenant seldom wait for each other's commit on the same row.
    this.addSql(`create or replace function applcm_instances_added() returns trigger language plpgsql as $$
begin
  insert into tenant_instance_count (tenant_id, shard, instances)
  select tenant_id, (pg_current_xact_id()::text::bigint % 32)::smallint, count(*) from added group by tenant_id order by tenant_id
  on conflict (tenant_id, shard) do update set instances = tenant_instance_count.instances + excluded.instances;
  return null;
end $$;`);
    this.addSql(`create or replace function applcm_instances_removed() returns trigger language plpgsql as $$
begin
  insert into tenant_instance_count (tenant_id, shard, instances)
  select tenant_id, (pg_current_xact_id()::text::bigint % 32)::smallint, -count(*) from removed group by tenant_id order by tenant_id
  on conflict (tenant_id, shard) do update set instances = tenant_instance_count.instances + excluded.instances;
  return null;
end $$;`);
    this.addSql(`create or replace function applcm_instances_truncated() returns trigger language plpgsql as $$
begin
  delete from tenant_instance_count;
  return null;
end $$;`);
    this.addSql(`create trigger app_instance_count_insert after insert on "app_instance" referencing new table as added for each statement execute function applcm_instances_added();`);
    this.addSql(`create trigger app_instance_count_delete after delete on "app_instance" referencing old table as removed for each statement execute function applcm_instances_removed();`);
    this.addSql(`create trigger app_instance_count_truncate after truncate on "app_instance" for each statement execute function applcm_instances_truncated();`);
    // The instances there are already (the triggers' lock on app_instance keeps others from adding any meanwhile).
    this.addSql(`insert into "tenant_instance_count" ("tenant_id", "shard", "instances") select "tenant_id", 0, count(*) from "app_instance" group by "tenant_id";`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists app_instance_count_insert on "app_instance";`);
    this.addSql(`drop trigger if exists app_instance_count_delete on "app_instance";`);
    this.addSql(`drop trigger if exists app_instance_count_truncate on "app_instance";`);
    this.addSql(`drop function if exists applcm_instances_added();`);
    this.addSql(`drop function if exists applcm_instances_removed();`);
    this.addSql(`drop function if exists applcm_instances_truncated();`);
    this.addSql(`drop table if exists "tenant_instance_count" cascade;`);
  }

}
