import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { SimPlugin } from '../../src/plugins/sim/sim-plugin.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.js';
import { generateTestKeys, tokenFor, type TestKeys } from '../helpers/test-keys.js';

const MAIN = 'dist/src/main.js';

/** The CLI's environment: the parent's, minus anything that would select a database or key by accident. */
function cliEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', ...extra };
  for (const k of ['DATABASE_URL', 'JWT_PUBLIC_KEY', 'JWT_PUBLIC_KEY_FILE', 'JWT_JWKS_URL', 'APPLCM_PORT']) if (!(k in extra)) delete env[k];
  return env;
}

function runCli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { env: cliEnv(env), encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('applcm --help', () => {
  for (const cmd of ['', 'dev', 'serve', 'migrate', 'token', 'schema', 'plugin-check']) {
    it(`${cmd || 'applcm'} --help describes itself`, () => {
      const r = runCli([...(cmd ? [cmd] : []), '--help']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`Usage: applcm${cmd ? ` ${cmd}` : ''}`));
    });
  }
});

describe('applcm serve refuses to start unsafely, with a clear message', () => {
  it('without DATABASE_URL', () => {
    const r = runCli(['serve'], { JWT_PUBLIC_KEY: generateTestKeys().publicKeyPem });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /DATABASE_URL is required/);
  });

  it('without any JWT verification key (never fail-open)', () => {
    const r = runCli(['serve'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no JWT verification key/);
  });

  it('with an invalid setting, naming it', () => {
    const r = runCli(['serve'], { APPLCM_PORT: 'eighty' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /invalid configuration:[\s\S]*APPLCM_PORT/);
  });

  it('when the database stays unreachable, after retrying for the configured time', () => {
    const started = Date.now();
    const r = runCli(['serve', '--port', '0'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none', JWT_PUBLIC_KEY: generateTestKeys().publicKeyPem, DATABASE_CONNECT_TIMEOUT_MS: '1500' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /database not reachable after \d+ attempt/);
    assert.ok(Date.now() - started < 20_000);
  });

  it('rejects an unknown role when minting a token', () => {
    const r = runCli(['token', '--role', 'root', '--data-dir', `/tmp/applcm-cli-${process.pid}`]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unknown role root/);
  });
});

describe('applcm migrate and serve on PostgreSQL', () => {
  let db: TestDatabase;
  let keys: TestKeys;
  before(async () => {
    db = await createTestDatabase('cli');
    keys = generateTestKeys();
  });
  after(() => db.drop());

  it('migrate applies the migrations once', () => {
    const first = runCli(['migrate'], { DATABASE_URL: db.url });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /applied Migration\d+/);
    const second = runCli(['migrate'], { DATABASE_URL: db.url });
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /database is up to date/);
  });

  it('serve answers GraphQL with tokens of the configured key and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [MAIN, 'serve', '--port', '0'], {
      env: cliEnv({ DATABASE_URL: db.url, JWT_PUBLIC_KEY: keys.publicKeyPem, APPLCM_HOST: '127.0.0.1', LOG_LEVEL: 'info' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const deadline = Date.now() + 30_000;
      let url: string | undefined;
      while (!url && Date.now() < deadline) {
        url = /"url":"(http:\/\/[^"]+)"/.exec(out)?.[1];
        if (!url) await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(url, `no listening line in: ${out}`);
      const token = await tokenFor(keys, 'tenant', '0b8f7c1e-4a52-4d0e-9b1a-3c7d2e6f5a90');
      const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query: '{ viewer { role tenantId } hosts { totalCount } }' }) });
      assert.deepEqual(await res.json(), { data: { viewer: { role: 'TENANT', tenantId: '0b8f7c1e-4a52-4d0e-9b1a-3c7d2e6f5a90' }, hosts: { totalCount: 0 } } });
      assert.equal((await fetch(`${url}/readyz`)).status, 200);
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      assert.equal(code, 0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});

describe('applcm plugin-check', () => {
  // The plugin runs in this process, so the CLI must run asynchronously (spawnSync would block it).
  const runAsync = async (args: string[]) => {
    try {
      const { stdout } = await promisify(execFile)(process.execPath, [MAIN, ...args], { env: cliEnv({}), timeout: 120_000 });
      return { code: 0, stdout };
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string };
      return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    }
  };

  it('passes the simulator plugin with a token minted from the dev key, one line per check', async () => {
    const sim = await SimPlugin.start();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'applcm-plugin-check-'));
    try {
      const r = await runAsync(['plugin-check', sim.address, '--data-dir', dataDir]);
      assert.equal(r.code, 0, r.stdout);
      const lines = r.stdout.trim().split('\n');
      assert.ok(lines.filter((l) => l.startsWith('ok ')).length >= 15, r.stdout);
      assert.match(lines.at(-1)!, /^\d+ passed, 0 failed/);
    } finally {
      await sim.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('exits 1 naming the failing checks of a plugin that is down', async () => {
    const sim = await SimPlugin.start();
    const address = sim.address;
    await sim.stop();
    const r = await runAsync(['plugin-check', address, '--token', 'any']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /FAIL /);
  });
});
