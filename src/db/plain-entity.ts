import { type EntityManager, type EntityProperty, ReferenceKind } from '@mikro-orm/postgresql';
import { pgDate } from './sql-tx.js';

/**
 * Reads rows of one entity's table into objects with the entity's prototype and its eager column properties, without
 * the ORM: for read-only rendering (a page of GraphQL results), where `em.map` (identity map, snapshot, validation)
 * cost more than the whole statement. The objects are not managed: relations and lazy columns are absent, so a
 * caller uses them only when the fields it renders are among `properties`.
 */
export class PlainEntityReader<T extends object> {
  /** The eager columns, for the statement's select list. */
  readonly columns: string[];
  /** The property names the objects carry. */
  readonly properties: ReadonlySet<string>;
  private readonly subsets: Map<string, PlainEntityReader<T>>;

  /** A reader of every eager column of `entity`. */
  static of<T extends object>(em: EntityManager, entity: new () => T): PlainEntityReader<T> {
    const meta = em.getMetadata().get(entity.name);
    const scalars = meta.props.filter((p) => p.kind === ReferenceKind.SCALAR && !p.lazy && p.persist !== false && p.fieldNames.length === 1);
    return new PlainEntityReader<T>(
      scalars.map((p) => ({ name: p.name, column: p.fieldNames[0]!, convert: converterOf(p) })),
      entity.prototype as object,
      new Map(),
    );
  }

  private constructor(
    private readonly props: Prop[],
    private readonly prototype: object,
    subsets: Map<string, PlainEntityReader<T>>,
  ) {
    this.columns = props.map((p) => p.column);
    this.properties = new Set(props.map((p) => p.name));
    this.subsets = subsets;
  }

  /**
   * A reader of only some of the properties (and `id`), for a rendering that selects no others: a statement reading
   * fewer columns answers less to parse. Made once per set of names.
   */
  only(properties: Iterable<string>): PlainEntityReader<T> {
    const names = new Set(['id', ...properties]);
    const key = [...names].sort().join(',');
    let subset = this.subsets.get(key);
    if (!subset) {
      subset = new PlainEntityReader<T>(
        this.props.filter((p) => names.has(p.name)),
        this.prototype,
        this.subsets,
      );
      // The sets of fields clients select are few; a bound keeps a hostile variety from growing the map.
      if (this.subsets.size < 64) this.subsets.set(key, subset);
    }
    return subset;
  }

  read(row: Record<string, unknown>): T {
    const o: Record<string, unknown> = {};
    for (const p of this.props) o[p.name] = p.convert(row[p.column]);
    // The prototype comes last: the ORM defines setters on it that would make the object a half-managed entity.
    return Object.setPrototypeOf(o, this.prototype) as T;
  }
}

interface Prop {
  name: string;
  column: string;
  convert: (v: unknown) => unknown;
}

const same = (v: unknown): unknown => v;

/** Raw values as the entity holds them: timestamps arrive as text, bigints as text (or numbers from JSON). */
function converterOf(p: EntityProperty): (v: unknown) => unknown {
  if (p.runtimeType === 'Date') return (v) => (v == null ? v : pgDate(v as string | Date));
  if (p.customType?.constructor.name === 'BigIntType' && p.runtimeType === 'number') return (v) => (v == null ? v : Number(v));
  return same;
}
