import type { Migration } from '../../store/migrations.js';

/**
 * An office may withdraw its latest diagram version (a mistaken upload, issue 15). The row stays
 * in the history, flagged with when and by whom; compliance, label checks and the next upload's
 * diff read the latest version that is not withdrawn.
 */
export const diagramWithdrawal: Migration = {
  version: 11,
  name: 'topology: withdrawn diagram versions',
  sql: `
ALTER TABLE diagram_versions ADD COLUMN withdrawn_at TEXT;
ALTER TABLE diagram_versions ADD COLUMN withdrawn_by TEXT;
`,
};
