import { ArgsType, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { LcmOperation, OperationState, OperationType } from '../../db/entities/index.js';
import { Connection } from './connection.type.js';

@InputType()
export class OperationFilterInput {
  @Field(() => ID, { nullable: true }) instanceId?: string;
  @Field(() => ID, { nullable: true }) packageId?: string;
  @Field(() => ID, { nullable: true }) hostId?: string;
  @Field(() => OperationType, { nullable: true }) type?: OperationType;
  @Field(() => OperationState, { nullable: true }) state?: OperationState;
  @Field(() => String, { nullable: true, description: 'Owner tenant; admins use it to look at one tenant' }) tenantId?: string;
}

@ArgsType()
export class OperationsArgs {
  @Field(() => Int, { nullable: true, description: 'Page size (default 20)' }) first?: number;
  @Field(() => String, { nullable: true, description: 'Cursor of the last operation seen; the page continues with older ones' }) after?: string;
  @Field(() => OperationFilterInput, { nullable: true }) filter?: OperationFilterInput;
}

@ObjectType()
export class OperationConnection extends Connection(LcmOperation, 'Operation') {}
