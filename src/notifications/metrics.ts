import { Counter, Gauge, type Registry } from 'prom-client';
import { NOTIFICATION_KINDS } from './kinds.js';

export interface NotificationMetrics {
  sent: Counter<'kind'>;
  failed: Counter<'kind'>;
}

/** Mail delivery by kind, and the queue a down mail server leaves behind (readiness stays green). */
export function registerNotificationMetrics(registry: Registry, queued: () => number): NotificationMetrics {
  const sent = new Counter({
    name: 'simpul_notifications_sent_total',
    help: 'Notification mails the SMTP server accepted, by kind',
    labelNames: ['kind'],
    registers: [registry],
  });
  const failed = new Counter({
    name: 'simpul_notifications_failed_total',
    help: 'Notification mail attempts that failed (each is retried with backoff, never dropped), by kind',
    labelNames: ['kind'],
    registers: [registry],
  });
  // Every kind at 0 from the start, so rate() and absent() work before the first mail.
  for (const kind of NOTIFICATION_KINDS) sent.inc({ kind }, 0), failed.inc({ kind }, 0);
  new Gauge({
    name: 'simpul_notifications_queued',
    help: 'Notification mails waiting in the outbox (not yet accepted by the SMTP server)',
    registers: [registry],
    collect() {
      this.set(queued());
    },
  });
  return { sent, failed };
}
