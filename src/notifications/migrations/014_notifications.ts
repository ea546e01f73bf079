import type { Migration } from '../../store/migrations.js';

/**
 * Notifications and their mail outbox. A notification belongs to one person (`user:<username>`,
 * the account's actor id) and names its event by a dedupe key, unique per person, so a scan or a
 * restart that meets the same event again adds nothing. Mail waits in the outbox until the SMTP
 * server takes it: rows are marked sent, never deleted by a failure.
 */
export const notifications: Migration = {
  version: 14,
  name: 'notifications: in-app list and mail outbox',
  sql: `
CREATE TABLE notifications (
  id INTEGER PRIMARY KEY,
  user_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  params_json TEXT NOT NULL,
  dedupe_key TEXT NOT NULL,
  created_at TEXT NOT NULL,
  read_at TEXT,
  UNIQUE (user_id, dedupe_key)
);
CREATE INDEX notifications_user ON notifications (user_id, read_at, id);

CREATE TABLE notification_mail (
  id INTEGER PRIMARY KEY,
  notification_id INTEGER NOT NULL UNIQUE REFERENCES notifications (id) ON DELETE CASCADE,
  to_addr TEXT NOT NULL,
  to_name TEXT NOT NULL,
  language TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  last_attempt_at TEXT,
  last_error TEXT,
  sent_at TEXT
);
CREATE INDEX notification_mail_due ON notification_mail (next_attempt_at) WHERE sent_at IS NULL;
`,
};
