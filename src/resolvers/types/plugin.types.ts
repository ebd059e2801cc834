import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { PluginAvailability } from '../../plugins/plugin-registry.js';

registerEnumType(PluginAvailability, {
  name: 'PluginAvailability',
  description: "How a host stands with respect to the plugin of its VIM type",
  valuesConfig: {
    AVAILABLE: { description: 'A plugin serves the VIM type and passed its last health check' },
    UNAVAILABLE: { description: 'A plugin is configured but failed its last health check' },
    UNKNOWN: { description: 'A plugin is configured and not checked yet' },
    MISSING: { description: 'No plugin is configured for the VIM type: operations on the host fail with PLUGIN_UNAVAILABLE' },
  },
});

@ObjectType({ description: 'What a plugin says it serves' })
export class PluginCapabilities {
  @Field(() => [String], { description: 'VIM types, lower case' }) vimTypes!: string[];
  @Field({ description: '"1.0" for plugins with our extensions; "original" for an original EdgeGallery plugin' }) protocolVersion!: string;
  @Field(() => [String], { description: 'Full gRPC method names the plugin implements' }) operations!: string[];
  @Field() pluginName!: string;
  @Field() pluginVersion!: string;
  @Field(() => Int, { description: 'Largest message the plugin accepts, in bytes (0: the gRPC default)' }) maxReceiveMessageBytes!: number;
}

@ObjectType({ description: 'A VIM plugin endpoint known to the registry' })
export class PluginInfo {
  @Field({ description: 'The VIM type it serves (hosts select their plugin by it)' }) vimType!: string;
  @Field({ description: 'host:port' }) endpoint!: string;
  @Field({ description: 'Where it was configured: env (<VIM>_PLUGIN variables), file (the plugins file) or embedded' }) source!: string;
  @Field({ description: 'Whether the channel uses TLS' }) tls!: boolean;
  @Field(() => Boolean, { nullable: true, description: 'Result of the last health check; null before the first' }) healthy!: boolean | null;
  @Field(() => String, { nullable: true }) lastError!: string | null;
  @Field(() => Date, { nullable: true }) lastCheckedAt!: Date | null;
  @Field(() => PluginCapabilities, { nullable: true, description: 'Learned from the plugin once it answered' }) capabilities!: PluginCapabilities | null;
}
