import { randomUUID } from 'node:crypto';
import type { ResourceType } from './resources.js';
import { apiVersionOf } from './resources.js';
import type { KubeObject } from './selectors.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  rv: number;
  type: WatchEventType;
  rt: ResourceType;
  object: KubeObject;
}

type Listener = (e: StoreEvent) => void;

/** How many changes are kept for watches that resume from a resourceVersion; older ones answer 410 Gone. */
const HISTORY = 5000;

const key = (rt: ResourceType, namespace: string | undefined, name: string): string => `${rt.group}/${rt.plural}/${namespace ?? ''}/${name}`;

/**
 * Every object of the fake cluster, one resourceVersion counter for all (as etcd's revision), the recent changes
 * for watches that resume, and the listeners of open watches.
 */
export class ObjectStore {
  private readonly objects = new Map<string, { rt: ResourceType; object: KubeObject }>();
  private readonly history: StoreEvent[] = [];
  private readonly listeners = new Set<Listener>();
  private rv = 100;

  get resourceVersion(): number {
    return this.rv;
  }

  /** The oldest resourceVersion a watch can resume from. */
  get oldestResumable(): number {
    return this.history[0]?.rv ?? this.rv;
  }

  get(rt: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const o = this.objects.get(key(rt, rt.namespaced ? namespace : undefined, name))?.object;
    return o && structuredClone(o);
  }

  list(rt: ResourceType, namespace?: string): KubeObject[] {
    const out: KubeObject[] = [];
    for (const { rt: r, object } of this.objects.values()) {
      if (r !== rt) continue;
      if (namespace !== undefined && rt.namespaced && object.metadata.namespace !== namespace) continue;
      out.push(structuredClone(object));
    }
    return out.sort((a, b) => `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace ?? ''}/${b.metadata.name}`));
  }

  /** Every object of every type, for owner and namespace cascades. */
  all(): { rt: ResourceType; object: KubeObject }[] {
    return [...this.objects.values()].map(({ rt, object }) => ({ rt, object: structuredClone(object) }));
  }

  /** Stores a new object: uid, resourceVersion, creation time and generation filled in. */
  create(rt: ResourceType, o: KubeObject): KubeObject {
    const obj = structuredClone(o);
    obj.apiVersion = apiVersionOf(rt);
    obj.kind = rt.kind;
    if (!rt.namespaced) delete obj.metadata.namespace;
    obj.metadata.uid = randomUUID();
    obj.metadata.creationTimestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    if (obj.spec !== undefined) obj.metadata.generation = 1;
    return this.put(rt, obj, 'ADDED');
  }

  /** Replaces a stored object (the caller checked it exists); bumps generation when the spec changed. */
  update(rt: ResourceType, o: KubeObject): KubeObject {
    const obj = structuredClone(o);
    const prev = this.objects.get(key(rt, obj.metadata.namespace, obj.metadata.name))?.object;
    obj.apiVersion = apiVersionOf(rt);
    obj.kind = rt.kind;
    if (prev) {
      obj.metadata.uid = prev.metadata.uid;
      obj.metadata.creationTimestamp = prev.metadata.creationTimestamp;
      const gen = prev.metadata.generation ?? (obj.spec !== undefined ? 1 : undefined);
      if (gen !== undefined) obj.metadata.generation = JSON.stringify(prev.spec) !== JSON.stringify(obj.spec) ? gen + 1 : gen;
    }
    return this.put(rt, obj, 'MODIFIED');
  }

  remove(rt: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const k = key(rt, rt.namespaced ? namespace : undefined, name);
    const prev = this.objects.get(k);
    if (!prev) return undefined;
    this.objects.delete(k);
    this.rv += 1;
    const object = structuredClone(prev.object);
    object.metadata.resourceVersion = String(this.rv);
    this.emit({ rv: this.rv, type: 'DELETED', rt, object });
    return object;
  }

  /** Changes since `rv` (exclusive), or undefined when they are no longer kept. */
  since(rv: number): StoreEvent[] | undefined {
    if (rv < this.oldestResumable - 1) return undefined;
    return this.history.filter((e) => e.rv > rv);
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private put(rt: ResourceType, obj: KubeObject, type: WatchEventType): KubeObject {
    this.rv += 1;
    obj.metadata.resourceVersion = String(this.rv);
    this.objects.set(key(rt, obj.metadata.namespace, obj.metadata.name), { rt, object: obj });
    this.emit({ rv: this.rv, type, rt, object: structuredClone(obj) });
    return structuredClone(obj);
  }

  private emit(e: StoreEvent): void {
    this.history.push(e);
    if (this.history.length > HISTORY) this.history.splice(0, this.history.length - HISTORY);
    for (const l of [...this.listeners]) l(e);
  }
}
