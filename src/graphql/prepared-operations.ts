import { GraphQLError, getOperationAST, parse, specifiedRules, validate, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode, type ValidationRule } from 'graphql';
import { isCompiledQuery } from 'graphql-jit';
import { compileOperation, type Compiled } from './jit-executor.js';
import { costVariables, limitRules, operationCost, type Limits } from './limits.js';

/**
 * A request's operation made ready once and reused while its text comes again: parsed, validated with every rule
 * Apollo Server applies (the spec's, introspection off when configured, our limits), resolved to its operation and
 * compiled by graphql-jit. Nothing here answers a client: a document that fails any step is left to Apollo Server,
 * which answers it with its own errors.
 */
export interface PreparedOperation {
  document: DocumentNode;
  operation: OperationDefinitionNode;
  /** null: executed by graphql-js (APPLCM_GQL_JIT=false). */
  compiled: Compiled | null;
  /** The variables its cost depends on (limits.ts costVariables), and costs seen by their values. */
  costVariables: string[];
  costs: Map<string, number>;
}

/** Operations kept; a client sending endless distinct documents only evicts the oldest. */
const CACHE_SIZE = 500;
/** Longer documents are not kept (nor taken by the fast path): the cache stays small whatever clients send. */
export const MAX_CACHED_QUERY_CHARS = 8 * 1024;
/** Costs kept per operation, by the values of the variables its cost depends on. */
const COSTS_PER_OPERATION = 64;

/** Apollo Server's rule when introspection is off: no `__schema` or `__type` field anywhere. */
const noIntrospection: ValidationRule = (ctx) => ({
  Field(node) {
    if (node.name.value === '__schema' || node.name.value === '__type') ctx.reportError(new GraphQLError('introspection is disabled', { nodes: [node] }));
  },
});

export class PreparedOperations {
  private readonly cache = new Map<string, PreparedOperation | null>();
  private readonly rules: readonly ValidationRule[];

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly limits: Limits,
    private readonly jit: boolean,
  ) {
    this.rules = [...specifiedRules, ...(limits.introspection ? [] : [noIntrospection]), ...limitRules(limits)];
  }

  /** The prepared operation, or null when Apollo Server should answer the request (any error, or too long to keep). */
  get(query: string, operationName: string | undefined): PreparedOperation | null {
    if (query.length > MAX_CACHED_QUERY_CHARS) return null;
    const key = operationName === undefined ? query : `${operationName}\u0000${query}`;
    const hit = this.cache.get(key);
    if (hit !== undefined) {
      // Map order is insertion order: re-inserting keeps the most recently used last (LRU).
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const made = this.prepare(query, operationName);
    this.cache.set(key, made);
    if (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
    return made;
  }

  /**
   * Whether the operation's cost with these variables is within the limit. False also when it may not be: a cost
   * remembered for the same values of the variables it depends on is over the limit (the request's other variables
   * might not coerce, which Apollo Server reports before the cost). The caller leaves those requests to Apollo Server.
   */
  costWithinLimit(p: PreparedOperation, variables: Record<string, unknown> | undefined): boolean {
    const v = variables ?? {};
    // A variable's absence (its default applies) and an explicit null are different values.
    const key = p.costVariables.map((name) => (name in v ? JSON.stringify(v[name]) : '\u0001')).join('\u0000');
    let cost = p.costs.get(key);
    if (cost === undefined) {
      const computed = operationCost(this.schema, p.document, variables, p.operation.name?.value);
      // Variables that do not coerce: no cost error, execution reports them (as the cost plugin lets it).
      if (computed === null) return true;
      cost = computed;
      p.costs.set(key, cost);
      if (p.costs.size > COSTS_PER_OPERATION) p.costs.delete(p.costs.keys().next().value!);
    }
    return cost <= this.limits.maxCost;
  }

  private prepare(query: string, operationName: string | undefined): PreparedOperation | null {
    let document: DocumentNode;
    try {
      document = parse(query, { maxTokens: this.limits.maxTokens });
    } catch {
      return null;
    }
    if (validate(this.schema, document, this.rules).length) return null;
    const operation = getOperationAST(document, operationName);
    if (!operation) return null;
    let compiled: Compiled | null = null;
    if (this.jit) {
      const made = compileOperation(this.schema, document, operation.name?.value);
      if (!isCompiledQuery(made)) return null;
      compiled = made;
    }
    return { document, operation, compiled, costVariables: costVariables(this.schema, document), costs: new Map() };
  }
}
