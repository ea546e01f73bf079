import type { Migration } from '../../store/migrations.js';

/**
 * Import generations, so a re-import swaps a source's entries with one small UPDATE instead of a
 * transaction that rewrites up to a million rows (issue 5). An entry carries the generation of the
 * import that wrote it; its source's row points at the live generation (no row: generation 0, for
 * entries added one by one). Readers go through block_entries_live, so they see the whole old
 * generation or the whole new one. The new generation's rows are written in small batches while
 * invisible, and the old ones deleted in small batches after the swap.
 */
export const blockingGenerations: Migration = {
  version: 10,
  name: 'blocking: entries by import generation',
  sql: `
ALTER TABLE block_sources ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;

CREATE TABLE block_entries_new (
  id INTEGER PRIMARY KEY,
  category TEXT NOT NULL REFERENCES block_categories (name) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('domain', 'wildcard', 'address', 'prefix')),
  value TEXT NOT NULL,
  source TEXT NOT NULL,
  generation INTEGER NOT NULL DEFAULT 0,
  added_at TEXT NOT NULL,
  added_by TEXT NOT NULL,
  UNIQUE (category, kind, value, source, generation)
);
INSERT INTO block_entries_new (id, category, kind, value, source, generation, added_at, added_by)
  SELECT id, category, kind, value, source, 0, added_at, added_by FROM block_entries;
DROP TABLE block_entries;
ALTER TABLE block_entries_new RENAME TO block_entries;
CREATE INDEX block_entries_source ON block_entries (category, source, generation);

CREATE VIEW block_entries_live AS
  SELECT e.id, e.category, e.kind, e.value, e.source, e.added_at, e.added_by
  FROM block_entries e LEFT JOIN block_sources s ON s.category = e.category AND s.name = e.source
  WHERE e.generation = coalesce(s.generation, 0);
`,
};
