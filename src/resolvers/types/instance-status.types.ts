import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';

// The GraphQL mirror of PluginExtensions' InstanceStatus (proto/applcm_plugin.proto). The mapping from the proto
// message and from the original `query` JSON lives in services/instance-status.mapping.ts.

/** What the plugin reports about an instance on its VIM (not the controller's own instantiation state). */
export enum InstanceLiveState {
  /** The plugin gave no state, or the original JSON did not allow one to be derived. */
  UNKNOWN = 'UNKNOWN',
  RUNNING = 'RUNNING',
  DEPLOYING = 'DEPLOYING',
  DEGRADED = 'DEGRADED',
  FAILED = 'FAILED',
  STOPPED = 'STOPPED',
  TERMINATING = 'TERMINATING',
  ABSENT = 'ABSENT',
}

/** Where a status came from. */
export enum InstanceStatusSource {
  /** The plugin's structured PluginExtensions.instanceStatus. */
  EXTENSIONS = 'EXTENSIONS',
  /** Parsed from the original AppLCM.query JSON (a plugin without PluginExtensions). */
  QUERY = 'QUERY',
}

registerEnumType(InstanceLiveState, {
  name: 'InstanceLiveState',
  description: 'The state the plugin reports for an instance on its VIM',
  valuesConfig: {
    UNKNOWN: { description: 'No state given, or none could be derived from the original JSON' },
    RUNNING: { description: 'Deployed and every workload ready' },
    DEPLOYING: { description: 'Still starting: some workloads not ready yet' },
    DEGRADED: { description: 'Deployed, but some workloads failing or restarting' },
    FAILED: { description: 'The deployment failed; reason says why' },
    STOPPED: { description: 'Stopped on purpose (operate stop)' },
    TERMINATING: { description: 'Being removed' },
    ABSENT: { description: 'The plugin holds no such instance' },
  },
});
registerEnumType(InstanceStatusSource, {
  name: 'InstanceStatusSource',
  valuesConfig: {
    EXTENSIONS: { description: "The plugin's structured instanceStatus" },
    QUERY: { description: 'Parsed from the original query JSON (plugin without PluginExtensions)' },
  },
});

@ObjectType('ServicePort')
export class ServicePortView {
  @Field() name!: string;
  @Field() protocol!: string;
  @Field(() => Int) port!: number;
  @Field() targetPort!: string;
  @Field(() => Int, { description: '0 when the service has no node port' }) nodePort!: number;
}

@ObjectType('ServiceEndpoint', { description: 'A service exposing the instance (Kubernetes Service)' })
export class ServiceEndpointView {
  @Field() name!: string;
  @Field({ description: 'ClusterIP, NodePort, LoadBalancer, …' }) type!: string;
  @Field(() => [ServicePortView]) ports!: ServicePortView[];
}

@ObjectType('Container')
export class ContainerView {
  @Field() name!: string;
  @Field({ description: '"running", "waiting: CrashLoopBackOff", "terminated: Error", …; empty when the plugin does not say' }) state!: string;
  @Field() ready!: boolean;
  @Field(() => Int) restarts!: number;
  @Field() image!: string;
  @Field({ description: 'CPU usage as a Kubernetes quantity ("250m"); empty without metrics' }) cpuUsage!: string;
  @Field({ description: 'Memory usage as a Kubernetes quantity ("64Mi"); empty without metrics' }) memoryUsage!: string;
}

@ObjectType('Workload', { description: 'A unit that runs: a pod (Kubernetes) or a server (VM)' })
export class WorkloadView {
  @Field({ description: 'Pod, Server, …' }) kind!: string;
  @Field() name!: string;
  @Field({ description: "The VIM's own phase or status text (Running, ACTIVE, …)" }) phase!: string;
  @Field() ready!: boolean;
  @Field(() => [ContainerView]) containers!: ContainerView[];
  @Field(() => [String], { description: 'Pod IP, or server addresses as network=ip' }) addresses!: string[];
}

@ObjectType('InstanceStatus', { description: "An instance's live status as its plugin reports it" })
export class InstanceStatusView {
  @Field() appInstanceId!: string;
  @Field(() => InstanceLiveState) state!: InstanceLiveState;
  @Field({ description: 'Why (failed, degraded, stopped), or empty' }) reason!: string;
  @Field(() => [WorkloadView]) workloads!: WorkloadView[];
  @Field(() => [ServiceEndpointView]) services!: ServiceEndpointView[];
  @Field(() => Date, { description: 'When the plugin observed it (when it was received, for the original JSON)' }) observedAt!: Date;
  @Field(() => InstanceStatusSource) source!: InstanceStatusSource;
}
