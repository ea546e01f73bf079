import type { Migration } from '../../store/migrations.js';

/**
 * Requests name people, not actor ids: the display name of the account (or the token's name) is
 * kept at write time, so a renamed or deleted account still reads as who acted then.
 */
export const requestNames: Migration = {
  version: 15,
  name: 'requests: who filed, decided and took each step, by name',
  sql: `
ALTER TABLE requests ADD COLUMN created_by_name TEXT;
ALTER TABLE requests ADD COLUMN decided_by_name TEXT;
ALTER TABLE request_steps ADD COLUMN actor_name TEXT;
`,
};
