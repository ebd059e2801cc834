import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { LcmOperation } from '../db/entities/index.js';
import type { GraphQLContext } from '../graphql/context.js';
import type { LcmService } from '../services/lcm.service.js';
import type { OperationService } from '../services/operation.service.js';
import { BatchTerminateItem, InstantiateAppInput, OperateActionEnum, TerminateOptions, TerminationModeEnum } from './types/lcm.types.js';

const KEY = { nullable: true, description: 'Replaying the same request with the same key returns the original result' } as const;
const defaultTermination = (o?: TerminateOptions | null) => ({ mode: o?.mode ?? TerminationModeEnum.FORCEFUL, timeoutSeconds: o?.timeoutSeconds ?? 0 });

/** The lifecycle mutations: each returns its operation at once; progress arrives by subscription or by polling. */
@Resolver(() => LcmOperation)
export class LcmResolver {
  constructor(
    private readonly lcm: LcmService,
    private readonly operations: OperationService,
  ) {}

  @Mutation(() => LcmOperation, { description: 'Distributes an onboarded package to hosts. The result lists every host; some failing is explicit (FAILED_TEMP naming them), and a retry redoes only those.' })
  distributePackage(
    @Ctx() ctx: GraphQLContext,
    @Arg('packageId', () => ID) packageId: string,
    @Arg('hostIds', () => [ID]) hostIds: string[],
    @Arg('idempotencyKey', () => String, KEY) idempotencyKey?: string,
  ): Promise<LcmOperation> {
    return this.lcm.distribute(ctx, packageId, hostIds, idempotencyKey);
  }

  @Mutation(() => LcmOperation, { description: 'Removes a package from a host; refused while instances of it run there' })
  removePackageFromHost(
    @Ctx() ctx: GraphQLContext,
    @Arg('packageId', () => ID) packageId: string,
    @Arg('hostId', () => ID) hostId: string,
    @Arg('idempotencyKey', () => String, KEY) idempotencyKey?: string,
  ): Promise<LcmOperation> {
    return this.lcm.removeFromHost(ctx, packageId, hostId, idempotencyKey);
  }

  @Mutation(() => LcmOperation, { description: 'Instantiates a package distributed to a host. The AK/SK and secret parameters are write-only.' })
  instantiateApp(
    @Ctx() ctx: GraphQLContext,
    @Arg('input', () => InstantiateAppInput) input: InstantiateAppInput,
    @Arg('idempotencyKey', () => String, KEY) idempotencyKey?: string,
  ): Promise<LcmOperation> {
    return this.lcm.instantiate(ctx, input, idempotencyKey);
  }

  @Mutation(() => LcmOperation, { description: 'Terminates an instance and removes it; refused with CONFLICT while another operation on it is active' })
  terminateApp(
    @Ctx() ctx: GraphQLContext,
    @Arg('appInstanceId', () => ID) appInstanceId: string,
    @Arg('options', () => TerminateOptions, { nullable: true }) options?: TerminateOptions,
    @Arg('idempotencyKey', () => String, KEY) idempotencyKey?: string,
  ): Promise<LcmOperation> {
    return this.lcm.terminate(ctx, appInstanceId, defaultTermination(options), idempotencyKey);
  }

  @Mutation(() => LcmOperation, { description: "Starts or stops an instance's workloads without removing it" })
  operateApp(
    @Ctx() ctx: GraphQLContext,
    @Arg('appInstanceId', () => ID) appInstanceId: string,
    @Arg('action', () => OperateActionEnum) action: OperateActionEnum,
    @Arg('idempotencyKey', () => String, KEY) idempotencyKey?: string,
  ): Promise<LcmOperation> {
    return this.lcm.operate(ctx, appInstanceId, action, idempotencyKey);
  }

  @Mutation(() => [BatchTerminateItem], { description: 'Terminates up to 100 instances; each gets its operation or its own error' })
  batchTerminate(
    @Ctx() ctx: GraphQLContext,
    @Arg('appInstanceIds', () => [ID]) appInstanceIds: string[],
    @Arg('options', () => TerminateOptions, { nullable: true }) options?: TerminateOptions,
  ): Promise<BatchTerminateItem[]> {
    return this.lcm.batchTerminate(ctx, appInstanceIds, defaultTermination(options));
  }

  @Mutation(() => LcmOperation, { description: 'FAILED_TEMP → runs again from where it stopped' })
  retryOperation(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string, @Arg('idempotencyKey', () => String, KEY) idempotencyKey?: string): Promise<LcmOperation> {
    return this.operations.retry(ctx, id, idempotencyKey);
  }

  @Mutation(() => LcmOperation, { description: 'FAILED_TEMP → ROLLING_BACK → ROLLED_BACK: undoes what the operation did' })
  rollbackOperation(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string, @Arg('idempotencyKey', () => String, KEY) idempotencyKey?: string): Promise<LcmOperation> {
    return this.operations.rollback(ctx, id, idempotencyKey);
  }

  @Mutation(() => LcmOperation, { description: 'FAILED_TEMP → FAILED: gives up' })
  failOperation(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string, @Arg('idempotencyKey', () => String, KEY) idempotencyKey?: string): Promise<LcmOperation> {
    return this.operations.fail(ctx, id, idempotencyKey);
  }

  @Mutation(() => LcmOperation, { description: 'Cancels an operation that has not finished: it stops in FAILED_TEMP (error code CANCELLED)' })
  cancelOperation(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string, @Arg('idempotencyKey', () => String, KEY) idempotencyKey?: string): Promise<LcmOperation> {
    return this.operations.cancel(ctx, id, idempotencyKey);
  }
}
