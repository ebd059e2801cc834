// `npm start`: install dependencies when they are missing, build, and run the embedded default (`applcm dev`).
// Uses only Node built-ins so it works on a fresh clone before `npm ci`.
import { spawnSync, spawn } from 'node:child_process';
import fs from 'node:fs';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

if (!fs.existsSync('node_modules/.package-lock.json')) {
  console.log('installing dependencies (npm ci)…');
  run(npm, ['ci', '--no-audit', '--no-fund']);
}
run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json']);

const child = spawn(process.execPath, ['dist/src/main.js', 'dev', ...process.argv.slice(2)], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
