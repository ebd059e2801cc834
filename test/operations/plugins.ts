import { graphql } from '../__generated__/gql.js';

export const Plugins = graphql(`
  query Plugins($refresh: Boolean) {
    plugins(refresh: $refresh) {
      vimType
      endpoint
      source
      tls
      healthy
      lastError
      lastCheckedAt
      capabilities { vimTypes protocolVersion operations pluginName pluginVersion maxReceiveMessageBytes }
    }
  }
`);

export const HostPluginStatus = graphql(`
  query HostPluginStatus($id: ID!) {
    host(id: $id) { id vim configStatus pluginStatus }
  }
`);

export const UploadHostConfig = graphql(`
  mutation UploadHostConfig($hostId: ID!, $content: String!, $key: String) {
    uploadHostConfig(hostId: $hostId, content: $content, idempotencyKey: $key) { id ip configStatus pluginStatus rowVersion }
  }
`);

export const RemoveHostConfig = graphql(`
  mutation RemoveHostConfig($hostId: ID!, $key: String) {
    removeHostConfig(hostId: $hostId, idempotencyKey: $key) { id configStatus }
  }
`);
