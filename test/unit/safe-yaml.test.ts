import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_YAML_LIMITS, isMapping, loadYaml, loadYamlMapping } from '../../src/packages/safe-yaml.js';
import { yamlAliasBomb, yamlMergeBomb } from '../helpers/hostile-archives.js';
import { assertInvalid } from '../helpers/invalid-package.js';

const WHAT = 'Definitions/MainServiceTemplate.yaml';

/** INVALID_PACKAGE matching `message`, and naming the document. */
function assertInvalidYaml(e: unknown, message: RegExp): true {
  assertInvalid(e, message);
  assert.ok((e as Error).message.startsWith(`${WHAT}: `), `the message names the document: ${(e as Error).message}`);
  return true;
}

const refuses = (yaml: string, message: RegExp, limits?: Parameters<typeof loadYaml>[2]): void => {
  assert.throws(() => loadYaml(yaml, WHAT, limits), (e: unknown) => assertInvalidYaml(e, message));
};

/** `levels` anchors, each nesting the previous one `step` levels deeper: the expanded depth is about levels × step. */
function aliasDepthChain(levels: number, step: number): string {
  const lines = ['d0: &d0 leaf'];
  for (let i = 1; i < levels; i++) lines.push(`d${i}: &d${i} ${'['.repeat(step)}*d${i - 1}${']'.repeat(step)}`);
  return lines.join('\n') + '\n';
}

/** Depth of a loaded value, aliases followed. */
function depthOf(v: unknown): number {
  if (typeof v !== 'object' || v === null) return 0;
  return 1 + Math.max(0, ...(Array.isArray(v) ? v : Object.values(v)).map(depthOf));
}

describe('loadYaml: every plain scalar stays the string it was written as', () => {
  it('versions, booleans, numbers, nulls, timestamps', () => {
    const doc = loadYamlMapping(
      [
        'version: 1.10',
        'octal: 0777',
        'hex: 0x10',
        'exp: 1e3',
        'int: 42',
        'negative: -7',
        'inf: .inf',
        'nan: .NaN',
        'bool: true',
        'yes: yes',
        'off: off',
        'null: null',
        'tilde: ~',
        'empty:',
        'date: 2001-12-14',
        'quoted: "1.10"',
        'single: \'true\'',
      ].join('\n') + '\n',
      WHAT,
    );
    assert.deepEqual(doc, {
      version: '1.10',
      octal: '0777',
      hex: '0x10',
      exp: '1e3',
      int: '42',
      negative: '-7',
      inf: '.inf',
      nan: '.NaN',
      bool: 'true',
      yes: 'yes',
      off: 'off',
      null: 'null',
      tilde: '~',
      empty: '',
      date: '2001-12-14',
      quoted: '1.10',
      single: 'true',
    });
    for (const v of Object.values(doc)) assert.equal(typeof v, 'string');
  });

  it('inside sequences and nested mappings too', () => {
    assert.deepEqual(loadYaml('a: [1, 2.50, true, ~]\nb: {c: {d: 010}}\n', WHAT), { a: ['1', '2.50', 'true', '~'], b: { c: { d: '010' } } });
  });

  it('keys stay strings too: `1: x`, `true: y`', () => {
    assert.deepEqual(Object.keys(loadYamlMapping('1: x\ntrue: y\n1.10: z\n', WHAT)), ['1', 'true', '1.10']);
  });

  it('block scalars and !!str keep their text', () => {
    assert.deepEqual(loadYaml('a: |\n  line 1\n  line 2\nb: !!str 5\n', WHAT), { a: 'line 1\nline 2\n', b: '5' });
  });

  it('an empty document (nothing, or only comments) is null', () => {
    assert.equal(loadYaml('', WHAT), null);
    assert.equal(loadYaml('# only a comment\n', WHAT), null);
  });

  it('a mapping loads as a plain object; __proto__ is an ordinary key and pollutes nothing', () => {
    const doc = loadYamlMapping('__proto__: {polluted: yes}\nname: x\n', WHAT);
    assert.equal(Object.getPrototypeOf(doc), Object.prototype);
    assert.ok(Object.hasOwn(doc, '__proto__'));
    assert.deepEqual(Object.getOwnPropertyDescriptor(doc, '__proto__')?.value, { polluted: 'yes' });
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    assert.equal(doc['polluted'], undefined);
  });
});

describe('loadYaml: merge keys and duplicates', () => {
  it('honours merge keys (<<), with the merging mapping winning', () => {
    assert.deepEqual(loadYaml('base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  y: 3\n', WHAT), { base: { x: '1', y: '2' }, d: { x: '1', y: '3' } });
    assert.deepEqual(loadYaml('a: &a {x: 1}\nb: &b {y: 2}\nc:\n  <<: [*a, *b]\n', WHAT), { a: { x: '1' }, b: { y: '2' }, c: { x: '1', y: '2' } });
  });

  it('refuses duplicate keys', () => {
    refuses('a: 1\nb: 2\na: 3\n', /invalid YAML: duplicated mapping key at line 3, column 1/);
    refuses('a:\n  x: 1\n  x: 1\n', /duplicated mapping key/);
  });

  it('a key given explicitly next to a merge is an override, not a duplicate', () => {
    assert.deepEqual(loadYaml('b: &b {a: 1}\nc:\n  <<: *b\n  a: 2\n', WHAT), { b: { a: '1' }, c: { a: '2' } });
  });

  it('refuses complex (non-scalar) keys', () => {
    refuses('? [a, b]\n: c\n', /invalid YAML: .*complex keys/);
  });
});

describe('loadYaml: tags', () => {
  const unknown: [string, RegExp][] = [
    ['a: !!js/function "function () { return 1 }"\n', /unknown scalar tag !<tag:yaml\.org,2002:js\/function>/],
    ['a: !!js/undefined ""\n', /unknown scalar tag !<tag:yaml\.org,2002:js\/undefined>/],
    ['a: !!js/regexp /x/\n', /unknown scalar tag !<tag:yaml\.org,2002:js\/regexp>/],
    ['a: !!python/object:os.system x\n', /unknown scalar tag/],
    ['a: !!int 5\n', /unknown scalar tag !<tag:yaml\.org,2002:int>/],
    ['a: !!float 5\n', /unknown scalar tag !<tag:yaml\.org,2002:float>/],
    ['a: !!bool true\n', /unknown scalar tag !<tag:yaml\.org,2002:bool>/],
    ['a: !!null ""\n', /unknown scalar tag !<tag:yaml\.org,2002:null>/],
    ['a: !!binary aGVsbG8=\n', /unknown scalar tag !<tag:yaml\.org,2002:binary>/],
    ['a: !!timestamp 2001-12-14\n', /unknown scalar tag !<tag:yaml\.org,2002:timestamp>/],
    ['a: !!set {x, y}\n', /unknown mapping tag !<tag:yaml\.org,2002:set>/],
    ['a: !!omap [x: 1]\n', /unknown sequence tag !<tag:yaml\.org,2002:omap>/],
    ['a: !custom x\n', /unknown scalar tag !<!custom>/],
    ['a: !<tag:example.com,2000:app/thing> x\n', /unknown scalar tag/],
  ];
  for (const [yaml, message] of unknown) {
    it(`refuses ${yaml.trim()}`, () => refuses(yaml, message));
  }

  it('accepts the failsafe tags !!str, !!seq and !!map', () => {
    assert.deepEqual(loadYaml('a: !!str 1\nb: !!seq [1]\nc: !!map {d: 2}\n', WHAT), { a: '1', b: ['1'], c: { d: '2' } });
  });
});

describe('loadYaml: bombs and nesting', () => {
  it('refuses the billion-laughs alias bomb (72 aliases, under the alias cap) by its expanded size', () => {
    const bomb = yamlAliasBomb();
    assert.ok(bomb.length < 1000);
    const started = Date.now();
    refuses(bomb, /YAML expands past \d+ bytes through aliases \(alias bomb\?\)$/);
    assert.ok(Date.now() - started < 2000, 'refused without expanding it');
  });

  it('refuses more aliases than maxAliases', () => {
    refuses(`a: &a x\nb: [${Array<string>(DEFAULT_YAML_LIMITS.maxAliases + 1).fill('*a').join(', ')}]\n`, /invalid YAML: aliases exceeded maxAliases \(100\)/);
  });

  it('a handful of aliases within the budget loads, and stays shared', () => {
    const doc = loadYaml('a: &a [x, y]\nb: *a\nc: *a\n', WHAT) as Record<string, unknown>;
    assert.deepEqual(doc, { a: ['x', 'y'], b: ['x', 'y'], c: ['x', 'y'] });
  });

  it('refuses a merge-key bomb by its merge count', () => {
    // 7 levels that each merge the previous one 12 times: 84 aliases (under the cap), 1260 merged keys (over 1000).
    refuses(yamlMergeBomb(8, 12), /invalid YAML: merge keys exceeded maxTotalMergeKeys \(1000\)/);
    // One mapping of 200 keys merged six times is 1200 keys.
    const wide = `m: &m {${Array.from({ length: 200 }, (_, i) => `k${i}: v`).join(', ')}}\nx:\n  <<: [*m, *m, *m, *m, *m, *m]\n`;
    refuses(wide, /merge keys exceeded maxTotalMergeKeys/);
  });

  it('the default yamlMergeBomb() is small enough to load under the default caps (600 merged keys)', () => {
    const doc = loadYamlMapping(yamlMergeBomb(), WHAT);
    assert.deepEqual(Object.keys(doc), ['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);
    assert.equal(Object.keys(doc['m5'] as object).length, 15);
    refuses(yamlMergeBomb(), /merge keys exceeded maxTotalMergeKeys \(500\)/, { maxTotalMergeKeys: 500 });
  });

  it('refuses a self-referencing alias (a cycle)', () => {
    refuses('a: &a [*a]\n', /YAML alias refers to itself$/);
    refuses('a: &a {b: *a}\n', /YAML alias refers to itself$/);
  });

  it('refuses nesting deeper than maxDepth as written, flow or block', () => {
    refuses(`${'['.repeat(70)}${']'.repeat(70)}`, /invalid YAML: nesting exceeded maxDepth \(64\)/);
    refuses(Array.from({ length: 70 }, (_, i) => `${' '.repeat(i)}k:`).join('\n') + ' v\n', /nesting exceeded maxDepth \(64\)/);
    assert.equal(depthOf(loadYaml(`${'['.repeat(60)}${']'.repeat(60)}`, WHAT)), 60);
  });

  it('refuses nesting deeper than maxExpandedDepth once aliases are followed', () => {
    // 30 anchors of 5 levels each: every document line is shallow, the value is ~150 levels deep.
    refuses(aliasDepthChain(30, 5), /YAML nests deeper than 128 levels through aliases$/);
    // The chain walked in definition order meets each anchor first at a shallow depth; the last one is still deep.
    refuses(aliasDepthChain(140, 1), /YAML nests deeper than 128 levels through aliases$/, { maxAliases: 1000 });
    refuses(aliasDepthChain(12, 5), /YAML nests deeper than 40 levels through aliases$/, { maxExpandedDepth: 40 });
  });

  it('an alias chain within maxExpandedDepth loads', () => {
    const doc = loadYamlMapping(aliasDepthChain(20, 5), WHAT);
    assert.equal(depthOf(doc), 1 + 19 * 5);
  });

  it('refuses documents over maxChars before parsing', () => {
    refuses(`a: ${'x'.repeat(100)}\n`, /YAML document of 104 characters is over the 50 allowed$/, { maxChars: 50 });
  });
});

describe('loadYaml: structure and messages', () => {
  it('refuses more than one document', () => {
    refuses('a: 1\n---\nb: 2\n', /expected one YAML document, found 2$/);
  });

  it('reports syntax errors with a position and without echoing the document', () => {
    assert.throws(
      () => loadYaml('secret: hunter2\n  bad: [\n', WHAT),
      (e: unknown) => {
        assertInvalidYaml(e, /^Definitions\/MainServiceTemplate\.yaml: invalid YAML: .* at line 2, column \d+$/);
        assert.doesNotMatch((e as Error).message, /hunter2/);
        return true;
      },
    );
  });

  it('loadYamlMapping refuses a sequence, a scalar and an empty document', () => {
    assert.throws(() => loadYamlMapping('- a\n- b\n', WHAT), (e: unknown) => assertInvalidYaml(e, /expected a YAML mapping at the top, found a sequence$/));
    assert.throws(() => loadYamlMapping('just text\n', WHAT), (e: unknown) => assertInvalidYaml(e, /found a scalar$/));
    assert.throws(() => loadYamlMapping('', WHAT), (e: unknown) => assertInvalidYaml(e, /found an empty document$/));
  });

  it('isMapping is true for plain objects only', () => {
    assert.equal(isMapping({}), true);
    assert.equal(isMapping([]), false);
    assert.equal(isMapping(null), false);
    assert.equal(isMapping('a'), false);
  });
});
