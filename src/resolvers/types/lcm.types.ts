import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { LcmOperation } from '../../db/entities/index.js';

export enum TerminationModeEnum {
  GRACEFUL = 'GRACEFUL',
  FORCEFUL = 'FORCEFUL',
}

export enum OperateActionEnum {
  START = 'START',
  STOP = 'STOP',
}

registerEnumType(TerminationModeEnum, {
  name: 'TerminationMode',
  valuesConfig: {
    GRACEFUL: { description: 'Stop the workloads first and give them up to timeoutSeconds, then terminate' },
    FORCEFUL: { description: 'Terminate at once' },
  },
});
registerEnumType(OperateActionEnum, { name: 'OperateAction' });

@InputType({ description: 'A new app instance: a distributed package on a host' })
export class InstantiateAppInput {
  @Field(() => ID, { nullable: true, description: 'The instance id (UUID) to use; generated when absent. Repeating a request with the same id and parameters returns the same operation.' })
  appInstanceId?: string;

  @Field(() => ID) packageId!: string;
  @Field(() => ID) hostId!: string;
  @Field({ description: 'Letters and digits, - or _ inside; at most 128 bytes' }) name!: string;
  @Field({ nullable: true }) description?: string;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Parameters for the plugin (string values). ak / sk given here are treated as the AK/SK.' })
  parameters?: Record<string, unknown>;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Secret parameters (string values): sent to the plugin, never readable afterwards' })
  secretParameters?: Record<string, unknown>;

  @Field({ nullable: true, description: 'AK for the MEP; generated with secretKey when both are absent. Write-only.' })
  accessKey?: string;

  @Field({ nullable: true, description: 'SK for the MEP. Write-only.' })
  secretKey?: string;

  @Field({ nullable: true, description: 'MEO (default), MEPM or another origin' })
  origin?: string;
}

@ObjectType()
export class BatchItemError {
  @Field() code!: string;
  @Field() message!: string;
}

@ObjectType({ description: 'One instance of a batch: its operation, or why none was started' })
export class BatchTerminateItem {
  @Field(() => ID) appInstanceId!: string;
  @Field(() => LcmOperation, { nullable: true }) operation!: LcmOperation | null;
  @Field(() => BatchItemError, { nullable: true }) error!: BatchItemError | null;
}

@InputType()
export class TerminateOptions {
  @Field(() => TerminationModeEnum, { defaultValue: TerminationModeEnum.FORCEFUL }) mode!: TerminationModeEnum;
  @Field(() => Int, { defaultValue: 0, description: 'GRACEFUL: seconds the workloads get to stop (0-3600)' }) timeoutSeconds!: number;
}
