import { graphql } from '../__generated__/gql.js';

export const Changes = graphql(`
  query Changes($after: String, $first: Int, $topics: [String!]) {
    changes(after: $after, first: $first, topics: $topics) {
      edges { cursor node { sequence topic subjectId tenantId payload createdAt } }
      pageInfo { hasNextPage endCursor }
    }
  }
`);
