// The committed migrations, in order. `applcm migrate --create` writes a new file and regenerates this list.
import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261125115420 } from './Migration20261125115420.js';
import { Migration20261125122303 } from './Migration20261125122303.js';
import { Migration20261129144303 } from './Migration20261129144303.js';
import { Migration20261129193156 } from './Migration20261129193156.js';
import { Migration20261129222915 } from './Migration20261129222915.js';

export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261125115420', class: Migration20261125115420 },
  { name: 'Migration20261125122303', class: Migration20261125122303 },
  { name: 'Migration20261129144303', class: Migration20261129144303 },
  { name: 'Migration20261129193156', class: Migration20261129193156 },
  { name: 'Migration20261129222915', class: Migration20261129222915 },
];
