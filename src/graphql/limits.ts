import {
  GraphQLError,
  Kind,
  OperationTypeNode,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type ASTNode,
  type ASTVisitor,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { createRequire } from 'node:module';
import type { ComplexityEstimator } from 'graphql-query-complexity';
import type { Config } from '../config.js';

// The package's ESM build imports `graphql/index.mjs`, a second copy of graphql next to the CommonJS one that
// every other import resolves to ("Cannot use GraphQLObjectType from another module or realm"). Its CommonJS
// build shares our copy.
const { fieldExtensionsEstimator, getComplexity, simpleEstimator } = createRequire(import.meta.url)('graphql-query-complexity') as typeof import('graphql-query-complexity');

export type Limits = Config['graphql'];

function fragmentsOf(doc: DocumentNode): Map<string, FragmentDefinitionNode> {
  const map = new Map<string, FragmentDefinitionNode>();
  for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) map.set(d.name.value, d);
  return map;
}

/**
 * Depth of a selection set, following fragments. Introspection fields are not counted (a client's schema
 * download nests deeply by nature and is gated by the introspection switch instead). Cycles are left to the
 * spec rule NoFragmentCycles; here they simply stop.
 */
function depthOf(set: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, seen: Set<string>, limit: number, at: number): number {
  if (at > limit) return at;
  let max = at;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      if (sel.name.value.startsWith('__')) continue;
      const d = sel.selectionSet ? depthOf(sel.selectionSet, fragments, seen, limit, at + 1) : at + 1;
      if (d > max) max = d;
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      max = Math.max(max, depthOf(sel.selectionSet, fragments, seen, limit, at));
    } else {
      const frag = fragments.get(sel.name.value);
      if (!frag || seen.has(frag.name.value)) continue;
      seen.add(frag.name.value);
      max = Math.max(max, depthOf(frag.selectionSet, fragments, seen, limit, at));
      seen.delete(frag.name.value);
    }
    if (max > limit) return max;
  }
  return max;
}

/** Rejects operations nested deeper than `max` fields. */
export const maxDepthRule = (max: number): ValidationRule => (ctx: ValidationContext): ASTVisitor => ({
  OperationDefinition(op) {
    const depth = depthOf(op.selectionSet, fragmentsOf(ctx.getDocument()), new Set(), max, 0);
    if (depth > max) ctx.reportError(new GraphQLError(`query is nested deeper than the limit of ${max}`, { nodes: [op] }));
  },
});

/** Rejects documents with more than `max` aliases (alias batching multiplies work without multiplying requests). */
export const maxAliasesRule = (max: number): ValidationRule => (ctx: ValidationContext): ASTVisitor => {
  let count = 0;
  return {
    Field(node) {
      if (node.alias && ++count === max + 1) ctx.reportError(new GraphQLError(`query uses more than ${max} aliases`, { nodes: [node] }));
    },
  };
};

/** Rejects documents with more than `max` directives. */
export const maxDirectivesRule = (max: number): ValidationRule => (ctx: ValidationContext): ASTVisitor => {
  let count = 0;
  return {
    Directive(node) {
      if (++count === max + 1) ctx.reportError(new GraphQLError(`query uses more than ${max} directives`, { nodes: [node] }));
    },
  };
};

function rootFieldCount(set: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, seen: Set<string>): number {
  let n = 0;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) n += sel.name.value === '__typename' ? 0 : 1;
    else if (sel.kind === Kind.INLINE_FRAGMENT) n += rootFieldCount(sel.selectionSet, fragments, seen);
    else {
      const frag = fragments.get(sel.name.value);
      if (frag && !seen.has(frag.name.value)) {
        seen.add(frag.name.value);
        n += rootFieldCount(frag.selectionSet, fragments, seen);
      }
    }
  }
  return n;
}

/** Caps mutation fields per request: each one may start real work on an edge host. */
export const maxMutationFieldsRule = (max: number): ValidationRule => (ctx: ValidationContext): ASTVisitor => ({
  OperationDefinition(op) {
    if (op.operation !== OperationTypeNode.MUTATION) return;
    const n = rootFieldCount(op.selectionSet, fragmentsOf(ctx.getDocument()), new Set());
    if (n > max) ctx.reportError(new GraphQLError(`a request may run at most ${max} mutation fields; this one has ${n}`, { nodes: [op] }));
  },
});

export function limitRules(l: Limits): ValidationRule[] {
  return [maxDepthRule(l.maxDepth), maxAliasesRule(l.maxAliases), maxDirectivesRule(l.maxDirectives), maxMutationFieldsRule(l.maxMutations)];
}

/** Lists cost their page size times their children, so `first: 500` is priced as 500 rows. */
const pageEstimator: ComplexityEstimator = ({ args, childComplexity }) => {
  const first: unknown = args.first;
  return typeof first === 'number' && first > 0 ? 1 + childComplexity * first : undefined;
};

/**
 * What a complexity function (a field's `complexity` option) may declare: the arguments it reads. A function without
 * it is taken to read all of its field's arguments (costVariables).
 */
export interface CostArgs {
  costArgs?: readonly string[];
}

/** The cost of an operation with its variables; null when the variables do not coerce (execution reports that). */
export function operationCost(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | undefined, operationName: string | undefined | null): number | null {
  try {
    return getComplexity({
      schema,
      query: document,
      variables: variables ?? {},
      operationName: operationName ?? undefined,
      // A field's own `complexity` (type-graphql's option: live plugin calls, lists with a default page size) comes first.
      estimators: [fieldExtensionsEstimator(), pageEstimator, simpleEstimator({ defaultComplexity: 1 })],
    });
  } catch {
    return null; // variable or operation errors are reported by execution with their own codes
  }
}

/** Cost of an operation with its variables; the error to return when it is over the limit, else null. */
export function costError(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | undefined, operationName: string | undefined | null, max: number): GraphQLError | null {
  const cost = operationCost(schema, document, variables, operationName);
  if (cost !== null && cost > max) {
    return new GraphQLError(`query cost ${cost} exceeds the limit of ${max}`, { extensions: { code: 'QUERY_TOO_COMPLEX', cost, limit: max } });
  }
  return null;
}

/**
 * The variables a (validated) document's cost can depend on, given the estimators above: those in `first` arguments
 * (pageEstimator), in the arguments a field's complexity function reads (all of them unless it declares `costArgs`),
 * and in directives (@skip and @include decide whether a selection counts). Two requests whose values of these
 * variables are the same cost the same, whatever their other variables (a page cursor, a filter).
 */
export function costVariables(schema: GraphQLSchema, document: DocumentNode): string[] {
  const names = new Set<string>();
  const collect = (node: ASTNode) =>
    visit(node, {
      Variable(v) {
        names.add(v.name.value);
      },
    });
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const def = typeInfo.getFieldDef();
        const complexity = def?.extensions.complexity as (CostArgs & ((...a: never[]) => unknown)) | number | undefined;
        const reads = !def ? null : typeof complexity === 'function' ? (complexity.costArgs ?? null) : [];
        for (const arg of node.arguments ?? []) if (arg.name.value === 'first' || reads === null || reads.includes(arg.name.value)) collect(arg.value);
      },
      Directive(node) {
        for (const arg of node.arguments ?? []) collect(arg.value);
      },
    }),
  );
  return [...names];
}
