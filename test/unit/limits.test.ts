import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildSchema, parse, specifiedRules, validate } from 'graphql';
import { costError, maxAliasesRule, maxDepthRule, maxDirectivesRule, maxMutationFieldsRule } from '../../src/graphql/limits.js';

// A recursive schema, so depth can grow without bound as in a hostile query.
const schema = buildSchema(`
  type Node { name: String, child: Node, children(first: Int): [Node] }
  type Query { root: Node, list(first: Int): [Node] }
  type Mutation { touch(id: ID): Boolean }
`);

const errorsOf = (query: string, rule: ReturnType<typeof maxDepthRule>) => validate(schema, parse(query), [...specifiedRules, rule]).map((e) => e.message);
// A query whose deepest field is at depth n (root = 1).
const nested = (n: number) => `{ root { ${'child { '.repeat(n - 2)}name${' }'.repeat(n - 2)} } }`;

describe('depth limit', () => {
  it('accepts a query at the limit and refuses one level more', () => {
    assert.deepEqual(errorsOf(nested(4), maxDepthRule(5)), []);
    assert.deepEqual(errorsOf(nested(5), maxDepthRule(5)), []);
    assert.match(errorsOf(nested(6), maxDepthRule(5)).join(), /deeper than the limit of 5/);
  });

  it('counts depth through named and inline fragments', () => {
    const q = `
      { root { ...A } }
      fragment A on Node { child { ...B } }
      fragment B on Node { child { ... on Node { child { child { name } } } } }`;
    assert.match(errorsOf(q, maxDepthRule(4)).join(), /deeper than the limit of 4/);
    assert.deepEqual(errorsOf(q, maxDepthRule(6)), []);
  });

  it('does not count introspection, which is gated separately', () => {
    assert.deepEqual(errorsOf('{ __schema { types { fields { type { ofType { ofType { name } } } } } } }', maxDepthRule(2)), []);
  });

  it('survives a fragment cycle (reported by the spec rule, not by a stack overflow)', () => {
    const errs = errorsOf('{ root { ...A } } fragment A on Node { child { ...A } }', maxDepthRule(5));
    assert.ok(errs.some((m) => /Cannot spread fragment "A" within itself/.test(m)));
  });
});

describe('alias, directive and mutation caps', () => {
  it('counts aliases across the document', () => {
    const q = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: root { name }`).join(' ')} }`;
    assert.deepEqual(errorsOf(q(3), maxAliasesRule(3)), []);
    assert.match(errorsOf(q(4), maxAliasesRule(3)).join(), /more than 3 aliases/);
  });

  it('counts directives', () => {
    const q = `{ root { ${Array.from({ length: 4 }, (_, i) => `f${i}: name @include(if: true)`).join(' ')} } }`;
    assert.match(errorsOf(q, maxDirectivesRule(3)).join(), /more than 3 directives/);
  });

  it('counts mutation fields hidden in fragments, but not __typename', () => {
    const q = 'mutation { a: touch ...M __typename } fragment M on Mutation { b: touch ... on Mutation { c: touch } }';
    assert.match(errorsOf(q, maxMutationFieldsRule(2)).join(), /at most 2 mutation fields; this one has 3/);
    assert.deepEqual(errorsOf(q, maxMutationFieldsRule(3)), []);
    assert.deepEqual(errorsOf('{ a: root { name } b: root { name } c: root { name } }', maxMutationFieldsRule(1)), [], 'queries are not capped');
  });
});

describe('cost', () => {
  it('multiplies children by the page size, read from variables too', () => {
    const doc = parse('query Q($n: Int) { list(first: $n) { name child { name } } }');
    assert.equal(costError(schema, doc, { n: 10 }, 'Q', 100), null);
    const err = costError(schema, doc, { n: 1000 }, 'Q', 100);
    assert.equal(err?.extensions.code, 'QUERY_TOO_COMPLEX');
    assert.ok(Number(err?.extensions.cost) > 1000);
  });

  it('nested pages multiply', () => {
    const doc = parse('{ list(first: 20) { children(first: 20) { name } } }');
    assert.ok(costError(schema, doc, {}, undefined, 300));
    assert.equal(costError(schema, doc, {}, undefined, 1000), null);
  });
});
