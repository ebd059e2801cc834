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
  private readonly props: { name: string; column: string; convert: (v: unknown) => unknown }[];
  private readonly prototype: object;

  constructor(em: EntityManager, entity: new () => T) {
    const meta = em.getMetadata().get(entity.name);
    const scalars = meta.props.filter((p) => p.kind === ReferenceKind.SCALAR && !p.lazy && p.persist !== false && p.fieldNames.length === 1);
    this.props = scalars.map((p) => ({ name: p.name, column: p.fieldNames[0]!, convert: converterOf(p) }));
    this.columns = this.props.map((p) => p.column);
    this.properties = new Set(this.props.map((p) => p.name));
    this.prototype = entity.prototype as object;
  }

  read(row: Record<string, unknown>): T {
    const o: Record<string, unknown> = {};
    for (const p of this.props) o[p.name] = p.convert(row[p.column]);
    // The prototype comes last: the ORM defines setters on it that would make the object a half-managed entity.
    return Object.setPrototypeOf(o, this.prototype) as T;
  }
}

const same = (v: unknown): unknown => v;

/** Raw values as the entity holds them: timestamps arrive as text, bigints as text (or numbers from JSON). */
function converterOf(p: EntityProperty): (v: unknown) => unknown {
  if (p.runtimeType === 'Date') return (v) => (v == null ? v : pgDate(v as string | Date));
  if (p.customType?.constructor.name === 'BigIntType' && p.runtimeType === 'number') return (v) => (v == null ? v : Number(v));
  return same;
}
