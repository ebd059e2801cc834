import { BigIntType, Entity, Enum, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { OnboardingState, OperationalState, PackageType, UsageState } from './enums.js';

/**
 * An application package (CSAR). The id may be chosen by the client (as in the original), so it is text,
 * restricted by validation to `[A-Za-z0-9_-]{1,64}`; files are stored under `storageKey`, never under a client name.
 */
@Entity({ tableName: 'app_package' })
@Index({ properties: ['tenantId', 'createdAt', 'id'] })
export class AppPackage {
  [OptionalProps]?: 'createdAt' | 'updatedAt' | 'rowVersion' | 'onboardingState' | 'operationalState' | 'usageState' | 'origin' | 'name' | 'packageVersion' | 'provider' | 'description' | 'type' | 'sizeBytes' | 'sha256' | 'storageKey' | 'appd' | 'integrity' | 'failureReason';

  @PrimaryKey({ type: 'text' })
  id!: string;

  @Property({ type: 'text' })
  appId!: string;

  @Property({ type: 'text' })
  tenantId!: string;

  @Property({ type: 'text', default: '' })
  name: string = '';

  @Property({ type: 'text', default: '' })
  packageVersion: string = '';

  @Property({ type: 'text', default: '' })
  provider: string = '';

  @Property({ type: 'text', default: '' })
  description: string = '';

  @Enum({ items: () => PackageType, nullable: true })
  type: PackageType | null = null;

  @Property({ type: new BigIntType('number'), nullable: true })
  sizeBytes: number | null = null;

  @Property({ type: 'text', nullable: true })
  sha256: string | null = null;

  @Property({ type: 'text', nullable: true })
  storageKey: string | null = null;

  /** The parsed application descriptor (typed in the package subsystem). */
  @Property({ type: 'jsonb', nullable: true })
  appd: Record<string, unknown> | null = null;

  /** Per-artifact manifest hash results. */
  @Property({ type: 'jsonb', nullable: true })
  integrity: Record<string, unknown> | null = null;

  @Enum({ items: () => OnboardingState, default: OnboardingState.CREATED })
  onboardingState: OnboardingState = OnboardingState.CREATED;

  @Property({ type: 'text', nullable: true })
  failureReason: string | null = null;

  @Enum({ items: () => OperationalState, default: OperationalState.ENABLED })
  operationalState: OperationalState = OperationalState.ENABLED;

  @Enum({ items: () => UsageState, default: UsageState.NOT_IN_USE })
  usageState: UsageState = UsageState.NOT_IN_USE;

  @Property({ type: 'text', default: 'MEO' })
  origin: string = 'MEO';

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  @Property({ version: true, type: 'integer' })
  rowVersion: number = 1;
}
