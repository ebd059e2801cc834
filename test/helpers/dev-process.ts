import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import type { GraphQLResponse } from './test-server.js';

/** The built CLI, exactly what `npm run applcm` runs (this file compiles to dist/test/helpers). */
export const CLI = fileURLToPath(new URL('../../src/main.js', import.meta.url));

/** The environment a newcomer has: no DATABASE_URL, so `applcm dev` falls back to embedded PGlite. */
export function embeddedEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  return env;
}

/** A request as the banner's "Try it" curl line sends it. */
export interface ExampleRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** What `applcm dev` prints once it serves. */
export interface Banner {
  baseUrl: string;
  graphqlUrl: string;
  adminToken: string;
  example: ExampleRequest;
}

export interface DevProcess {
  child: ChildProcess;
  banner: Banner;
  /** Everything written so far, for assertions and failure messages. */
  stdout(): string;
  stderr(): string;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Splits a shell command line the way sh does for what the banner uses: single quotes and `\`-newline continuations. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated quote in: ${line}`);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (c === '\\' && line[i + 1] === '\n') {
      i++;
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** Reads a curl command line into a request; fails on any curl option it does not know, so a changed banner is noticed. */
export function parseCurl(command: string): ExampleRequest {
  const [cmd, ...args] = shellWords(command);
  if (cmd !== 'curl') throw new Error(`not a curl command: ${command}`);
  const req: ExampleRequest = { url: '', headers: {}, body: '' };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-s') continue;
    if (a === '-H') {
      const header = args[++i]!;
      const colon = header.indexOf(':');
      req.headers[header.slice(0, colon).trim()] = header.slice(colon + 1).trim();
    } else if (a === '-d') req.body = args[++i]!;
    else if (!a.startsWith('-') && !req.url) req.url = a;
    else throw new Error(`unexpected curl argument ${a} in: ${command}`);
  }
  return req;
}

/** Finds the banner in the output, or undefined while it is not complete yet. */
export function parseBanner(stdout: string): Banner | undefined {
  const graphqlUrl = /GraphQL \(HTTP and graphql-ws\): (\S+)/.exec(stdout)?.[1];
  const adminToken = /Admin token[^\n]*\n\s*(\S+)\n/.exec(stdout)?.[1];
  // The example is the indented `curl` line up to the `-d '...'` line that ends it (it spans two lines).
  const curl = /Try it:\n\s*(curl [^\n]*\\\n\s*-d '[^\n]*'\n)/.exec(stdout)?.[1];
  if (!graphqlUrl || !adminToken || !curl) return undefined;
  return { baseUrl: graphqlUrl.replace(/\/graphql$/, ''), graphqlUrl, adminToken, example: parseCurl(curl) };
}

/** Resolves when the child exits; resolves at once if it already has. */
export function waitForExit(child: ChildProcess): Promise<Exit> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** Rejects with `message` when `promise` takes longer than `ms`. */
async function within<T>(promise: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message())), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Spawns `applcm dev --port 0 --data-dir <dataDir>` and resolves once its banner is printed.
 * Rejects (after killing the child) if it exits first or prints no banner within `timeoutMs`.
 */
export async function startDev(dataDir: string, opts: { cwd: string; timeoutMs?: number }): Promise<DevProcess> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const child = spawn(process.execPath, [CLI, 'dev', '--port', '0', '--data-dir', dataDir], { cwd: opts.cwd, env: embeddedEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
  const output = () => `stdout:\n${out}\nstderr:\n${err}`;

  const banner = new Promise<Banner>((resolve, reject) => {
    const onData = () => {
      const b = parseBanner(out);
      if (!b) return;
      child.stdout.off('data', onData);
      resolve(b);
    };
    child.stdout.on('data', onData);
    child.once('exit', (code, signal) => reject(new Error(`applcm dev exited (code ${code}, signal ${signal}) before its banner\n${output()}`)));
    child.once('error', reject);
  });
  try {
    const b = await within(banner, timeoutMs, () => `no banner from applcm dev within ${timeoutMs} ms\n${output()}`);
    return { child, banner: b, stdout: () => out, stderr: () => err };
  } catch (e) {
    await kill(child);
    throw e;
  }
}

/** Sends SIGTERM and waits for the exit; rejects if the process is still running after `timeoutMs`. */
export async function stopDev(dev: DevProcess, timeoutMs = 15_000): Promise<Exit> {
  dev.child.kill('SIGTERM');
  return within(waitForExit(dev.child), timeoutMs, () => `applcm dev did not exit within ${timeoutMs} ms of SIGTERM\nstdout:\n${dev.stdout()}\nstderr:\n${dev.stderr()}`);
}

/** Last-resort cleanup: SIGKILL if still running, then wait for the exit. */
export async function kill(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGKILL');
  await waitForExit(child);
}

/** Runs a one-shot CLI command (e.g. `token`) in the newcomer's environment; rejects on a non-zero exit. */
export async function runCli(args: string[], cwd: string): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [CLI, ...args], { cwd, env: embeddedEnv(), timeout: 30_000 });
  return stdout;
}

/** POSTs one GraphQL operation to a running server. */
export async function gql<TData, TVars>(graphqlUrl: string, token: string, doc: TypedDocumentNode<TData, TVars>, variables?: TVars): Promise<GraphQLResponse<TData>> {
  const res = await fetch(graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: print(doc), variables }),
  });
  const body = (await res.json()) as { data?: TData | null; errors?: GraphQLResponse<TData>['errors'] };
  return { status: res.status, data: body.data, errors: body.errors, headers: res.headers };
}
