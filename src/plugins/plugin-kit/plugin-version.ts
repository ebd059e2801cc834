import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The version in the project's package.json (found upward from this file, in src/ or dist/src/), else '0.1.0'. */
export function pluginVersion(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: unknown };
      if (typeof pkg.version === 'string' && pkg.version) return pkg.version;
      return '0.1.0';
    } catch {
      const up = path.dirname(dir);
      if (up === dir) return '0.1.0';
      dir = up;
    }
  }
}
