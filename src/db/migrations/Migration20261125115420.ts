import { Migration } from '@mikro-orm/migrations';

export class Migration20261125115420 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "app_package" ("id" text not null, "app_id" text not null, "tenant_id" text not null, "name" text not null default '', "package_version" text not null default '', "provider" text not null default '', "description" text not null default '', "type" text check ("type" in ('CONTAINER', 'VM')) null, "size_bytes" bigint null, "sha256" text null, "storage_key" text null, "appd" jsonb null, "integrity" jsonb null, "onboarding_state" text check ("onboarding_state" in ('CREATED', 'UPLOADING', 'PROCESSING', 'ONBOARDED', 'FAILED')) not null default 'CREATED', "failure_reason" text null, "operational_state" text check ("operational_state" in ('ENABLED', 'DISABLED')) not null default 'ENABLED', "usage_state" text check ("usage_state" in ('IN_USE', 'NOT_IN_USE')) not null default 'NOT_IN_USE', "origin" text not null default 'MEO', "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "row_version" int not null default 1, constraint "app_package_pkey" primary key ("id"));`);
    this.addSql(`create index "app_package_tenant_id_created_at_id_index" on "app_package" ("tenant_id", "created_at", "id");`);

    this.addSql(`create table "event" ("seq" bigserial primary key, "tenant_id" text null, "topic" text not null, "subject_id" text null, "payload" jsonb not null, "created_at" timestamptz not null default now());`);
    this.addSql(`create index "event_tenant_id_seq_index" on "event" ("tenant_id", "seq");`);
    this.addSql(`create index "event_topic_seq_index" on "event" ("topic", "seq");`);

    this.addSql(`create table "idempotency_record" ("id" uuid not null, "principal_id" text not null, "key" text not null, "operation" text not null, "request_hash" text not null, "response" jsonb not null, "created_at" timestamptz not null default now(), constraint "idempotency_record_pkey" primary key ("id"));`);
    this.addSql(`alter table "idempotency_record" add constraint "idempotency_record_principal_id_key_unique" unique ("principal_id", "key");`);

    this.addSql(`create table "lcm_operation" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "row_version" int not null default 1, "tenant_id" text not null, "type" text check ("type" in ('INSTANTIATE', 'TERMINATE', 'OPERATE', 'DISTRIBUTE', 'REMOVE_FROM_HOST', 'DELETE_PACKAGE', 'CREATE_IMAGE', 'DELETE_IMAGE')) not null, "state" text check ("state" in ('STARTING', 'PROCESSING', 'COMPLETED', 'FAILED_TEMP', 'ROLLING_BACK', 'ROLLED_BACK', 'FAILED')) not null default 'STARTING', "instance_id" uuid null, "package_id" text null, "host_id" uuid null, "params" jsonb not null default '{}', "result" jsonb null, "error" jsonb null, "attempts" int not null default 0, "lease_owner" text null, "lease_expires_at" timestamptz null, "idempotency_key" text null, "cancel_requested" boolean not null default false, "finished_at" timestamptz null, constraint "lcm_operation_pkey" primary key ("id"));`);
    this.addSql(`create index "lcm_operation_claimable_idx" on "lcm_operation" ("state", "lease_expires_at");`);
    this.addSql(`create index "lcm_operation_tenant_id_created_at_id_index" on "lcm_operation" ("tenant_id", "created_at", "id");`);
    this.addSql(`create unique index "lcm_operation_idempotency_key_unique" on "lcm_operation" ("tenant_id", "idempotency_key") where "idempotency_key" is not null;`);
    this.addSql(`create unique index "lcm_operation_one_active_per_instance" on "lcm_operation" ("instance_id") where "instance_id" is not null and "state" in ('STARTING', 'PROCESSING', 'FAILED_TEMP', 'ROLLING_BACK');`);

    this.addSql(`create table "mec_host" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "row_version" int not null default 1, "tenant_id" text null, "ip" text not null, "name" text not null, "zip_code" text not null default '', "city" text not null default '', "address" text not null default '', "affinity" text not null default '', "coordinates" text not null default '', "vim" text not null default 'k8s', "config_status" text check ("config_status" in ('NOT_UPLOADED', 'UPLOADED')) not null default 'NOT_UPLOADED', "origin" text not null default 'MEO', "hw_capabilities" jsonb not null default '[]', constraint "mec_host_pkey" primary key ("id"));`);
    this.addSql(`create index "mec_host_tenant_id_created_at_id_index" on "mec_host" ("tenant_id", "created_at", "id");`);
    this.addSql(`create unique index "mec_host_tenant_ip_unique" on "mec_host" (coalesce("tenant_id", ''), "ip");`);

    this.addSql(`create table "app_instance" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "row_version" int not null default 1, "tenant_id" text not null, "package_id" text not null, "host_id" uuid not null, "name" text not null, "description" text not null default '', "instantiation_state" text check ("instantiation_state" in ('NOT_INSTANTIATED', 'INSTANTIATED')) not null default 'NOT_INSTANTIATED', "operational_state" text check ("operational_state" in ('STARTED', 'STOPPED')) null, "plugin_handle" jsonb not null default '{}', "parameters" jsonb not null default '{}', "secrets" jsonb not null default '{}', "origin" text not null default 'MEO', constraint "app_instance_pkey" primary key ("id"));`);
    this.addSql(`create index "app_instance_package_id_index" on "app_instance" ("package_id");`);
    this.addSql(`create index "app_instance_host_id_index" on "app_instance" ("host_id");`);
    this.addSql(`create index "app_instance_tenant_id_created_at_id_index" on "app_instance" ("tenant_id", "created_at", "id");`);

    this.addSql(`create table "package_distribution" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "row_version" int not null default 1, "package_id" text not null, "host_id" uuid not null, "tenant_id" text not null, "state" text check ("state" in ('DISTRIBUTING', 'DISTRIBUTED', 'ERROR', 'DELETING')) not null default 'DISTRIBUTING', "error" text null, constraint "package_distribution_pkey" primary key ("id"));`);
    this.addSql(`create index "package_distribution_host_id_index" on "package_distribution" ("host_id");`);
    this.addSql(`alter table "package_distribution" add constraint "package_distribution_package_id_host_id_unique" unique ("package_id", "host_id");`);

    this.addSql(`create table "vm_image" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "row_version" int not null default 1, "tenant_id" text not null, "instance_id" uuid null, "host_id" uuid not null, "vm_id" text not null, "name" text not null, "status" text not null default 'CREATING', "size_bytes" bigint null, "checksum" text null, "disk_format" text null, "plugin_image_id" text null, constraint "vm_image_pkey" primary key ("id"));`);
    this.addSql(`create index "vm_image_tenant_id_created_at_id_index" on "vm_image" ("tenant_id", "created_at", "id");`);

    this.addSql(`alter table "app_instance" add constraint "app_instance_package_id_foreign" foreign key ("package_id") references "app_package" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "app_instance" add constraint "app_instance_host_id_foreign" foreign key ("host_id") references "mec_host" ("id") on update cascade on delete restrict;`);

    this.addSql(`alter table "package_distribution" add constraint "package_distribution_package_id_foreign" foreign key ("package_id") references "app_package" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "package_distribution" add constraint "package_distribution_host_id_foreign" foreign key ("host_id") references "mec_host" ("id") on update cascade on delete cascade;`);
  }

}
