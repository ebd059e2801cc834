import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { LookupFunction } from 'node:net';
import { badInput, DomainError, ErrorCode } from '../errors.js';
import { receiveToFile, type Received } from './receive-to-file.js';

export interface FetchPolicy {
  /** Allow loopback, private, link-local and other non-public addresses (tests, private registries). */
  allowPrivate: boolean;
  timeoutMs: number;
  maxBytes: number;
  maxRedirects?: number;
}

// Addresses a package URL must not reach unless allowed: an onboarding request must not become a way to probe
// the controller's own network (SSRF).
const nonPublic = new net.BlockList();
for (const [net4, prefix] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4]] as const) {
  nonPublic.addSubnet(net4, prefix, 'ipv4');
}
for (const [net6, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96]] as const) {
  nonPublic.addSubnet(net6, prefix, 'ipv6');
}

export function isPublicAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 4) return !nonPublic.check(address, 'ipv4');
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return isPublicAddress(mapped[1]!);
    return !nonPublic.check(address, 'ipv6');
  }
  return false;
}

const refused = (host: string) => badInput('url', `url host ${host} is not a public address (set APPLCM_ALLOW_PRIVATE_PACKAGE_URLS to allow it)`);

/** A DNS lookup that refuses non-public answers at connect time, so a rebinding name cannot slip through. */
function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses;
      const bad = list.find((a) => !allowPrivate && !isPublicAddress(a.address));
      if (bad) return callback(Object.assign(refused(hostname), { code: 'EAPPLCMPRIVATE' }), '', 0);
      if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

export function parsePackageUrl(raw: string): URL {
  if (raw.length > 2048) throw badInput('url', 'url is longer than 2048 characters');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw badInput('url', 'url is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw badInput('url', 'url must be http or https');
  if (url.username || url.password) throw badInput('url', 'url must not carry credentials');
  return url;
}

/**
 * Refuses at once a URL whose host is, or resolves to, a non-public address (unless allowed), so the caller gets
 * the error from its request instead of a failed package later. The connect-time guard still applies to the
 * download itself, in case the name resolves differently by then.
 */
export async function checkUrlTarget(raw: string, allowPrivate: boolean): Promise<URL> {
  const url = parsePackageUrl(raw);
  if (allowPrivate) return url;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (net.isIP(host)) {
    if (!isPublicAddress(host)) throw refused(host);
    return url;
  }
  let addresses: dns.LookupAddress[];
  try {
    addresses = await dns.promises.lookup(host, { all: true });
  } catch {
    throw badInput('url', `url host ${host} cannot be resolved`);
  }
  if (addresses.some((a) => !isPublicAddress(a.address))) throw refused(host);
  return url;
}

/** Downloads a package to `dest`, following at most a few redirects, each re-checked against the policy. */
export async function fetchToFile(raw: string, dest: string, policy: FetchPolicy, onProgress?: (bytes: number) => void): Promise<Received> {
  const signal = AbortSignal.timeout(policy.timeoutMs);
  let url = parsePackageUrl(raw);
  for (let hop = 0; hop <= (policy.maxRedirects ?? 5); hop++) {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (net.isIP(host) && !policy.allowPrivate && !isPublicAddress(host)) throw refused(host);
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const get = url.protocol === 'https:' ? https.get : http.get;
      const req = get(url, { signal, lookup: guardedLookup(policy.allowPrivate), headers: { accept: 'application/zip, application/octet-stream, */*' } }, resolve);
      req.on('error', (e: NodeJS.ErrnoException) => {
        if (e instanceof DomainError) return reject(e);
        if (e.name === 'AbortError' || e.name === 'TimeoutError') return reject(new DomainError(ErrorCode.DEADLINE_EXCEEDED, `download did not finish within ${policy.timeoutMs} ms`));
        reject(badInput('url', `download failed: ${e.code ?? e.message}`));
      });
    });
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location) {
      res.resume();
      url = parsePackageUrl(new URL(res.headers.location, url).toString());
      continue;
    }
    if (status < 200 || status >= 300) {
      res.resume();
      throw badInput('url', `download failed: HTTP ${status}`);
    }
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > policy.maxBytes) {
      res.destroy();
      throw new DomainError(ErrorCode.PAYLOAD_TOO_LARGE, `package exceeds the limit of ${policy.maxBytes} bytes`, { limit: policy.maxBytes });
    }
    return receiveToFile(res, dest, policy.maxBytes, onProgress);
  }
  throw badInput('url', 'too many redirects');
}
