// Runs the compiled test files with node's test runner. Node 20 takes no globs and would treat every .js
// under a test/ folder as a test, so the files are listed explicitly.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve('dist/test');
const only = process.argv.slice(2);
const files = [];
const walk = (dir) => {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name.endsWith('.test.js') && (only.length === 0 || only.some((o) => p.includes(o)))) files.push(p);
  }
};
walk(root);
files.sort();
if (files.length === 0) {
  console.error('no test files found under dist/test (run npm run build first)');
  process.exit(1);
}
const concurrency = process.env.APPLCM_TEST_CONCURRENCY ?? '4';
const r = spawnSync(process.execPath, ['--enable-source-maps', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
