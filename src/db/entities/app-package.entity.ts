import { BigIntType, Collection, Entity, Enum, Index, OneToMany, OptionalProps, PrimaryKey, Property, type Rel } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { OnboardingState, OperationalState, PackageType, UsageState } from './enums.js';
import { PackageDistribution } from './package-distribution.entity.js';

/**
 * An application package (CSAR). The id may be chosen by the client (as in the original), so it is text,
 * restricted by validation to `[A-Za-z0-9_-]{1,64}`; files are stored under `storageKey`, never under a client name.
 * The parsed descriptor, integrity and artifact list are JSON documents exposed through typed GraphQL fields.
 */
@ObjectType({ description: 'An application package (CSAR) and its parsed descriptor', simpleResolvers: true })
@Entity({ tableName: 'app_package' })
@Index({ properties: ['tenantId', 'createdAt', 'id'] })
export class AppPackage {
  [OptionalProps]?:
    | 'createdAt'
    | 'updatedAt'
    | 'rowVersion'
    | 'onboardingState'
    | 'operationalState'
    | 'usageState'
    | 'origin'
    | 'name'
    | 'packageVersion'
    | 'provider'
    | 'description'
    | 'type'
    | 'sizeBytes'
    | 'receivedBytes'
    | 'sha256'
    | 'storageKey'
    | 'appd'
    | 'integrity'
    | 'artifacts'
    | 'failureReason'
    | 'sourceUrl';

  @Field(() => ID)
  @PrimaryKey({ type: 'text' })
  id!: string;

  @Field()
  @Property({ type: 'text' })
  appId!: string;

  @Field()
  @Property({ type: 'text' })
  tenantId!: string;

  @Field({ description: 'Product name from the descriptor or manifest' })
  @Property({ type: 'text', default: '' })
  name: string = '';

  @Field({ description: 'Package version as written by its author' })
  @Property({ type: 'text', default: '' })
  packageVersion: string = '';

  @Field()
  @Property({ type: 'text', default: '' })
  provider: string = '';

  @Field()
  @Property({ type: 'text', default: '' })
  description: string = '';

  @Field(() => PackageType, { nullable: true })
  @Enum({ items: () => PackageType, nullable: true })
  type: PackageType | null = null;

  @Field(() => Number, { nullable: true, description: 'Size of the stored package in bytes' })
  @Property({ type: new BigIntType('number'), nullable: true })
  sizeBytes: number | null = null;

  @Field(() => Number, { description: 'Bytes received so far while uploading (progress)' })
  @Property({ type: new BigIntType('number'), default: 0 })
  receivedBytes: number = 0;

  @Field(() => String, { nullable: true, description: 'SHA-256 of the package file (hex)' })
  @Property({ type: 'text', nullable: true })
  sha256: string | null = null;

  @Property({ type: 'text', nullable: true, hidden: true })
  storageKey: string | null = null;

  /** The parsed application descriptor (`AppDescriptor`). */
  @Property({ type: 'jsonb', nullable: true, lazy: true })
  appd: Record<string, unknown> | null = null;

  /** Manifest hash results (`PackageIntegrity`). */
  @Property({ type: 'jsonb', nullable: true })
  integrity: Record<string, unknown> | null = null;

  /** Files of the package with their kind (`PackageArtifact[]`). */
  @Property({ type: 'jsonb', nullable: true, lazy: true })
  artifacts: Record<string, unknown>[] | null = null;

  @Field(() => OnboardingState)
  @Enum({ items: () => OnboardingState, default: OnboardingState.CREATED })
  onboardingState: OnboardingState = OnboardingState.CREATED;

  @Field(() => String, { nullable: true, description: 'Why onboarding failed' })
  @Property({ type: 'text', nullable: true })
  failureReason: string | null = null;

  @Field(() => String, { nullable: true, description: 'Where the package was pulled from (onboardPackage)' })
  @Property({ type: 'text', nullable: true })
  sourceUrl: string | null = null;

  @Field(() => OperationalState, { description: 'DISABLED packages cannot be instantiated' })
  @Enum({ items: () => OperationalState, default: OperationalState.ENABLED })
  operationalState: OperationalState = OperationalState.ENABLED;

  @Field(() => UsageState)
  @Enum({ items: () => UsageState, default: UsageState.NOT_IN_USE })
  usageState: UsageState = UsageState.NOT_IN_USE;

  @Field()
  @Property({ type: 'text', default: 'MEO' })
  origin: string = 'MEO';

  @OneToMany(() => PackageDistribution, (d) => d.package)
  distributions = new Collection<Rel<PackageDistribution>>(this);

  @Field(() => Date)
  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Field(() => Date)
  @Property({ type: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  @Field(() => Int)
  @Property({ version: true, type: 'integer' })
  rowVersion: number = 1;
}
