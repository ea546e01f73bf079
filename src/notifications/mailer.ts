/** The SMTP edge: a nodemailer transport from config `notifications.smtp`, secrets read once at start. */
import nodemailer from 'nodemailer';
import type { Config } from '../config/schema.js';
import { ConfigError, readSecret } from '../config/load.js';
import type { SendMail } from './outbox.js';

export type SmtpConfig = NonNullable<Config['notifications']['smtp']>;

export function smtpSender(smtp: SmtpConfig, timeoutSeconds: number, env: NodeJS.ProcessEnv = process.env): { send: SendMail; close(): void } {
  const auth = smtp.auth ? { user: smtp.auth.username, pass: readSecret(smtp.auth.password, env) } : undefined;
  if (auth && !auth.pass) throw new ConfigError(['notifications.smtp.auth.password: the secret is empty']);
  const ms = timeoutSeconds * 1000;
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    requireTLS: smtp.requireTls,
    auth,
    connectionTimeout: ms,
    greetingTimeout: ms,
    socketTimeout: ms,
    // One connection per mail: a server that restarted between mails costs nothing.
    pool: false,
  });
  return {
    async send(m) {
      await transport.sendMail({ from: smtp.from, to: { name: m.to.name, address: m.to.address }, subject: m.subject, text: m.text });
    },
    close: () => transport.close(),
  };
}
