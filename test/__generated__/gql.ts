/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment HostFields on MecHost {\n    id\n    tenantId\n    ip\n    name\n    zipCode\n    city\n    address\n    affinity\n    coordinates\n    vim\n    origin\n    configStatus\n    hwCapabilities { hwType hwVendor hwModel }\n    rowVersion\n    createdAt\n    updatedAt\n  }\n": typeof types.HostFieldsFragmentDoc,
    "\n  mutation RegisterHost($input: RegisterHostInput!, $key: String) {\n    registerHost(input: $input, idempotencyKey: $key) { ...HostFields }\n  }\n": typeof types.RegisterHostDocument,
    "\n  mutation UpdateHost($id: ID!, $input: UpdateHostInput!, $expectedVersion: Int, $key: String) {\n    updateHost(id: $id, input: $input, expectedVersion: $expectedVersion, idempotencyKey: $key) { ...HostFields }\n  }\n": typeof types.UpdateHostDocument,
    "\n  mutation DeleteHost($id: ID!, $key: String) {\n    deleteHost(id: $id, idempotencyKey: $key) { id }\n  }\n": typeof types.DeleteHostDocument,
    "\n  query Hosts($first: Int, $after: String, $filter: HostFilterInput) {\n    hosts(first: $first, after: $after, filter: $filter) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { cursor node { ...HostFields } }\n    }\n  }\n": typeof types.HostsDocument,
    "\n  query Host($id: ID!) {\n    host(id: $id) { ...HostFields }\n  }\n": typeof types.HostDocument,
    "\n  query Viewer {\n    viewer { userId userName tenantId role }\n  }\n": typeof types.ViewerDocument,
};
const documents: Documents = {
    "\n  fragment HostFields on MecHost {\n    id\n    tenantId\n    ip\n    name\n    zipCode\n    city\n    address\n    affinity\n    coordinates\n    vim\n    origin\n    configStatus\n    hwCapabilities { hwType hwVendor hwModel }\n    rowVersion\n    createdAt\n    updatedAt\n  }\n": types.HostFieldsFragmentDoc,
    "\n  mutation RegisterHost($input: RegisterHostInput!, $key: String) {\n    registerHost(input: $input, idempotencyKey: $key) { ...HostFields }\n  }\n": types.RegisterHostDocument,
    "\n  mutation UpdateHost($id: ID!, $input: UpdateHostInput!, $expectedVersion: Int, $key: String) {\n    updateHost(id: $id, input: $input, expectedVersion: $expectedVersion, idempotencyKey: $key) { ...HostFields }\n  }\n": types.UpdateHostDocument,
    "\n  mutation DeleteHost($id: ID!, $key: String) {\n    deleteHost(id: $id, idempotencyKey: $key) { id }\n  }\n": types.DeleteHostDocument,
    "\n  query Hosts($first: Int, $after: String, $filter: HostFilterInput) {\n    hosts(first: $first, after: $after, filter: $filter) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { cursor node { ...HostFields } }\n    }\n  }\n": types.HostsDocument,
    "\n  query Host($id: ID!) {\n    host(id: $id) { ...HostFields }\n  }\n": types.HostDocument,
    "\n  query Viewer {\n    viewer { userId userName tenantId role }\n  }\n": types.ViewerDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment HostFields on MecHost {\n    id\n    tenantId\n    ip\n    name\n    zipCode\n    city\n    address\n    affinity\n    coordinates\n    vim\n    origin\n    configStatus\n    hwCapabilities { hwType hwVendor hwModel }\n    rowVersion\n    createdAt\n    updatedAt\n  }\n"): (typeof documents)["\n  fragment HostFields on MecHost {\n    id\n    tenantId\n    ip\n    name\n    zipCode\n    city\n    address\n    affinity\n    coordinates\n    vim\n    origin\n    configStatus\n    hwCapabilities { hwType hwVendor hwModel }\n    rowVersion\n    createdAt\n    updatedAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RegisterHost($input: RegisterHostInput!, $key: String) {\n    registerHost(input: $input, idempotencyKey: $key) { ...HostFields }\n  }\n"): (typeof documents)["\n  mutation RegisterHost($input: RegisterHostInput!, $key: String) {\n    registerHost(input: $input, idempotencyKey: $key) { ...HostFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateHost($id: ID!, $input: UpdateHostInput!, $expectedVersion: Int, $key: String) {\n    updateHost(id: $id, input: $input, expectedVersion: $expectedVersion, idempotencyKey: $key) { ...HostFields }\n  }\n"): (typeof documents)["\n  mutation UpdateHost($id: ID!, $input: UpdateHostInput!, $expectedVersion: Int, $key: String) {\n    updateHost(id: $id, input: $input, expectedVersion: $expectedVersion, idempotencyKey: $key) { ...HostFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteHost($id: ID!, $key: String) {\n    deleteHost(id: $id, idempotencyKey: $key) { id }\n  }\n"): (typeof documents)["\n  mutation DeleteHost($id: ID!, $key: String) {\n    deleteHost(id: $id, idempotencyKey: $key) { id }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Hosts($first: Int, $after: String, $filter: HostFilterInput) {\n    hosts(first: $first, after: $after, filter: $filter) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { cursor node { ...HostFields } }\n    }\n  }\n"): (typeof documents)["\n  query Hosts($first: Int, $after: String, $filter: HostFilterInput) {\n    hosts(first: $first, after: $after, filter: $filter) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      edges { cursor node { ...HostFields } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Host($id: ID!) {\n    host(id: $id) { ...HostFields }\n  }\n"): (typeof documents)["\n  query Host($id: ID!) {\n    host(id: $id) { ...HostFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Viewer {\n    viewer { userId userName tenantId role }\n  }\n"): (typeof documents)["\n  query Viewer {\n    viewer { userId userName tenantId role }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;