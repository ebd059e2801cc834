import type { RequestContext } from '../services/request-context.js';

/** The GraphQL context is the request context every service takes. */
export type GraphQLContext = RequestContext;
