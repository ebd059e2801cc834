import { ArgsType, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { AppPackage, OnboardingState, OperationalState, PackageType } from '../../db/entities/index.js';
import { Connection } from './connection.type.js';

@InputType()
export class PackageFilterInput {
  @Field({ nullable: true }) nameContains?: string;
  @Field({ nullable: true }) appId?: string;
  @Field(() => PackageType, { nullable: true }) type?: PackageType;
  @Field(() => OnboardingState, { nullable: true }) onboardingState?: OnboardingState;
  @Field(() => OperationalState, { nullable: true }) operationalState?: OperationalState;
}

@ArgsType()
export class PackagesArgs {
  @Field(() => Int, { nullable: true, description: 'Page size (default 20)' }) first?: number;
  @Field(() => String, { nullable: true }) after?: string;
  @Field(() => PackageFilterInput, { nullable: true }) filter?: PackageFilterInput;
}

@InputType({ description: 'Pull a package from an http(s) URL (ETSI MEC 010-2 style)' })
export class OnboardPackageInput {
  @Field({ description: 'http or https URL of the CSAR' }) url!: string;
  @Field({ description: 'SHA-256 of the package (hex, optionally prefixed sha256:)' }) checksum!: string;
  @Field({ nullable: true, description: 'Client-chosen package id (A-Z a-z 0-9 _ -, at most 64)' }) packageId?: string;
  @Field({ nullable: true, description: 'Client-chosen app id (at most 32)' }) appId?: string;
  @Field({ nullable: true }) origin?: string;
  @Field(() => String, { nullable: true, description: 'Owner tenant (admins only)' }) tenantId?: string;
}

@ObjectType()
export class PackageConnection extends Connection(AppPackage, 'Package') {}

@ObjectType()
export class DeletePackagePayload {
  @Field(() => ID) id!: string;
}
