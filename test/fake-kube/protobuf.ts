// Decoding of the Kubernetes protobuf encoding for what clients send that way: helm's release storage writes its
// Secrets through client-go's typed client, whose request bodies are `application/vnd.kubernetes.protobuf`
// (magic "k8s\0", a runtime.Unknown envelope, then the object). Only core/v1 Secret is understood; answers are JSON,
// which every client accepts.

import type { KubeObject } from './selectors.js';

export const PROTOBUF_MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

type Field = { no: number; wire: number; value: bigint | Buffer };

function* fields(buf: Buffer): Generator<Field> {
  let i = 0;
  const varint = (): bigint => {
    let shift = 0n;
    let v = 0n;
    for (;;) {
      const b = buf[i++];
      if (b === undefined) throw new Error('truncated varint');
      v |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return v;
      shift += 7n;
    }
  };
  while (i < buf.length) {
    const tag = Number(varint());
    const no = tag >>> 3;
    const wire = tag & 7;
    if (wire === 0) yield { no, wire, value: varint() };
    else if (wire === 2) {
      const len = Number(varint());
      yield { no, wire, value: buf.subarray(i, i + len) };
      i += len;
    } else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else throw new Error(`unsupported wire type ${wire}`);
  }
}

const text = (v: bigint | Buffer): string => (v as Buffer).toString('utf8');

function mapEntry(buf: Buffer): [string, Buffer] {
  let k = '';
  let v: Buffer = Buffer.alloc(0);
  for (const f of fields(buf)) {
    if (f.no === 1) k = text(f.value);
    else if (f.no === 2) v = f.value as Buffer;
  }
  return [k, v];
}

function objectMeta(buf: Buffer): KubeObject['metadata'] {
  const m: KubeObject['metadata'] = { name: '' };
  for (const f of fields(buf)) {
    if (f.no === 1) m.name = text(f.value);
    else if (f.no === 2) m.generateName = text(f.value);
    else if (f.no === 3) m.namespace = text(f.value);
    else if (f.no === 6) m.resourceVersion = text(f.value);
    else if (f.no === 11 || f.no === 12) {
      const [k, v] = mapEntry(f.value as Buffer);
      const target = f.no === 11 ? (m.labels ??= {}) : (m.annotations ??= {});
      target[k] = v.toString('utf8');
    }
  }
  for (const k of ['generateName', 'namespace', 'resourceVersion'] as const) if (m[k] === '') delete m[k];
  return m;
}

function secret(buf: Buffer): KubeObject {
  const s: KubeObject & { data?: Record<string, string>; type?: string; immutable?: boolean } = { apiVersion: 'v1', kind: 'Secret', metadata: { name: '' } };
  for (const f of fields(buf)) {
    if (f.no === 1) s.metadata = objectMeta(f.value as Buffer);
    else if (f.no === 2) {
      const [k, v] = mapEntry(f.value as Buffer);
      (s.data ??= {})[k] = v.toString('base64');
    } else if (f.no === 3) s.type = text(f.value);
    else if (f.no === 4) {
      const [k, v] = mapEntry(f.value as Buffer);
      (s.data ??= {})[k] = v.toString('base64');
    } else if (f.no === 5) s.immutable = f.value !== 0n;
  }
  return s;
}

/** The object in a protobuf request body, as JSON would have carried it. */
export function decodeProtobuf(body: Buffer): KubeObject {
  if (!body.subarray(0, 4).equals(PROTOBUF_MAGIC)) throw new Error('not a Kubernetes protobuf body');
  let apiVersion = '';
  let kind = '';
  let raw: Buffer = Buffer.alloc(0);
  for (const f of fields(body.subarray(4))) {
    if (f.no === 1) {
      for (const t of fields(f.value as Buffer)) {
        if (t.no === 1) apiVersion = text(t.value);
        else if (t.no === 2) kind = text(t.value);
      }
    } else if (f.no === 2) raw = f.value as Buffer;
  }
  if (apiVersion === 'v1' && kind === 'Secret') return secret(raw);
  throw new Error(`protobuf bodies of ${apiVersion} ${kind} are not understood by the fake API server`);
}
