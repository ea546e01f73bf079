/**
 * The notifications module: hears request filings and decisions (inside their transactions),
 * scans for ending exceptions and diagram deadlines every `scanSeconds`, and sends queued mail
 * through the configured SMTP server. A down mail server leaves mail queued, never unready.
 */
import type { ModuleDefinition } from '../module.js';
import { systemActor } from '../auth/actor.js';
import type { UserDirectory } from '../auth/user-directory.js';
import { ConfigError } from '../config/load.js';
import type { ExceptionOut } from '../blocking/service.js';
import { MailOutbox, type SendMail } from './outbox.js';
import { registerNotificationMetrics } from './metrics.js';
import { notificationRoutes } from './routes.js';
import { NotificationService } from './service.js';
import { periodic } from '../common/periodic.js';
import { smtpSender } from './mailer.js';

const ACTOR = systemActor('notifications');
const DAY = 86_400_000;

export interface NotificationsModuleOptions {
  /** The accounts; by default the daemon's UserService (through its UserDirectory interface only). */
  directory?: () => UserDirectory | null;
  /** Delivery; by default SMTP from config. */
  send?: SendMail;
  /** Hands the service and the outbox to a test that drives scans and passes itself. */
  expose?: (parts: { service: NotificationService; outbox: MailOutbox }) => void;
}

export const notificationsModuleWith = (o: NotificationsModuleOptions = {}): ModuleDefinition => ({
  name: 'notifications',
  requires: ['requests', 'users'],
  uses: ['blocking', 'topology'],
  provides: ['notifications'],
  create: (ctx) => {
    const cfg = ctx.config.notifications;
    const directory = o.directory ?? ((): UserDirectory => ctx.need('users'));
    if (cfg.mail.enabled && !cfg.smtp && !o.send)
      throw new ConfigError(['notifications.smtp: required when notifications.mail.enabled is true (host, port, from)']);
    if (cfg.mail.retryMaxSeconds < cfg.mail.retryMinSeconds)
      throw new ConfigError([
        `notifications.mail.retryMaxSeconds (${cfg.mail.retryMaxSeconds}) must not be below retryMinSeconds (${cfg.mail.retryMinSeconds})`,
      ]);
    const smtp = !o.send && cfg.mail.enabled && cfg.smtp ? smtpSender(cfg.smtp, cfg.mail.timeoutSeconds) : null;
    const send: SendMail = o.send ?? smtp?.send ?? (async () => Promise.reject(new Error('mail is not enabled')));
    const text = { timezone: ctx.config.timezone, publicUrl: ctx.config.http.publicUrl };

    let outbox: MailOutbox | null = null;
    const service = new NotificationService(ctx.store, {
      clock: ctx.clock,
      switches: cfg.kinds,
      mailEnabled: cfg.mail.enabled,
      directory,
      text,
      exceptionEndingDays: cfg.exceptionEndingDays,
      diagramDueDays: cfg.diagramDueDays,
      // Only the active ones ending within the window (the pure rule checks the window again).
      exceptions: () => {
        const blocking = ctx.use('blocking');
        if (!blocking) return [];
        const endingBefore = new Date(ctx.clock.now().getTime() + cfg.exceptionEndingDays * DAY + 1).toISOString();
        const out: ExceptionOut[] = [];
        let after: number | undefined;
        do {
          const page = blocking.searchExceptions(ACTOR, { state: 'active', endingBefore, after, limit: 500 });
          out.push(...page.exceptions);
          after = page.next ?? undefined;
        } while (after !== undefined);
        return out;
      },
      deadlines: () => ctx.use('topology')?.compliance(ACTOR).opds ?? [],
      onQueued: () => outbox?.wake(),
      onError: (e, what) => ctx.log.error({ err: e }, `${what} not recorded`),
    });
    const metrics = registerNotificationMetrics(ctx.registry, () => outbox!.queued());
    outbox = new MailOutbox(ctx.store, send, {
      clock: ctx.clock,
      backoff: { minSeconds: cfg.mail.retryMinSeconds, maxSeconds: cfg.mail.retryMaxSeconds },
      text,
      metrics,
      log: ctx.log,
    });
    ctx.need('requests').onChange(service.onRequestChange);
    ctx.provide('notifications', service);
    o.expose?.({ service, outbox });

    const scan = periodic(ctx.log, 'notification scan', cfg.scanSeconds, () => {
      const n = service.scan();
      if (n) ctx.log.info({ notifications: n }, 'notifications for ending exceptions and diagram deadlines');
    });
    return {
      name: 'notifications',
      routes: notificationRoutes(service, directory),
      async start() {
        scan.start();
        if (cfg.mail.enabled) outbox!.start(cfg.mail.pollSeconds);
      },
      async stop() {
        scan.stop();
        await outbox!.stop();
        smtp?.close();
      },
    };
  },
});

export const notificationsModule = notificationsModuleWith();
