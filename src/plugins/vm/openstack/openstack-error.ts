/**
 * A refusal or failure of an OpenStack API: the HTTP status and the service's own message (Nova's
 * `{"itemNotFound": {"message"}}`, Neutron's `{"NeutronError": {"message"}}`, Glance's text), with what was asked.
 */
export class OpenStackError extends Error {
  constructor(
    readonly status: number,
    readonly what: string,
    readonly detail: string,
  ) {
    super(`${what}: ${status ? `HTTP ${status}` : 'unreachable'}${detail ? ` ${detail}` : ''}`);
    this.name = 'OpenStackError';
  }
}

export const isNotFound = (e: unknown): boolean => e instanceof OpenStackError && e.status === 404;
export const isConflict = (e: unknown): boolean => e instanceof OpenStackError && e.status === 409;

/** The message inside an OpenStack error body, whichever service's shape it has; cut to a readable length. */
export function errorDetail(body: string): string {
  let text = body.trim();
  try {
    const doc = JSON.parse(text) as unknown;
    const find = (v: unknown, depth: number): string | undefined => {
      if (depth > 3 || typeof v !== 'object' || v === null) return undefined;
      const o = v as Record<string, unknown>;
      for (const k of ['message', 'detail', 'title', 'explanation']) if (typeof o[k] === 'string' && o[k]) return o[k];
      for (const x of Object.values(o)) {
        const found = find(x, depth + 1);
        if (found) return found;
      }
      return undefined;
    };
    text = find(doc, 0) ?? text;
  } catch {
    // Glance and proxies answer HTML or plain text: strip tags.
    text = text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  }
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}
