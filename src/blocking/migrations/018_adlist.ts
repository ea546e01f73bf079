import type { Migration } from '../../store/migrations.js';

/**
 * Router-fetched block lists (RouterOS 7.15+ `/ip/dns/adlist`): each router's capability secret
 * for its list URL. The secret is kept as written (the router's desired state carries it); a
 * revocation replaces it, so the old URL stops answering at once. The `encrypted-dns` category
 * is seeded empty: the NOC fills and refreshes it like any list (deploy/blocklists/encrypted-dns.txt).
 */
export const adlist: Migration = {
  version: 18,
  name: 'adlist secrets per router; the encrypted-dns category',
  sql: `
CREATE TABLE adlist_secrets (
  router TEXT PRIMARY KEY,
  secret TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL
);
INSERT OR IGNORE INTO block_categories (name, description, created_at, created_by) VALUES
  ('encrypted-dns', 'DNS over HTTPS and TLS resolvers clients use to skip the router''s DNS', '1970-01-01T00:00:00.000Z', 'system:migration');
`,
};
