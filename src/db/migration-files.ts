import fs from 'node:fs';
import path from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';

/**
 * Writes a migration for the difference between the entities and the database it is pointed at, then
 * rewrites the migrations index so the new file is compiled and applied in order.
 */
export async function createMigrationFile(orm: MikroORM, dir: string, initial: boolean): Promise<string | null> {
  const result = await orm.getMigrator().createMigration(dir, false, initial);
  if (!result.fileName) return null;
  writeMigrationsIndex(dir);
  return path.join(dir, result.fileName);
}

export function writeMigrationsIndex(dir: string): void {
  const names = fs
    .readdirSync(dir)
    .filter((f) => /^Migration\d+.*\.ts$/.test(f))
    .map((f) => f.replace(/\.ts$/, ''))
    .sort();
  const lines = [
    '// The committed migrations, in order. `applcm migrate --create` writes a new file and regenerates this list.',
    "import type { MigrationObject } from '@mikro-orm/core';",
    ...names.map((n) => `import { ${n} } from './${n}.js';`),
    '',
    'export const migrationsList: MigrationObject[] = [',
    ...names.map((n) => `  { name: '${n}', class: ${n} },`),
    '];',
    '',
  ];
  fs.writeFileSync(path.join(dir, 'index.ts'), lines.join('\n'));
}
