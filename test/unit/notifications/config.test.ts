import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';

const smtp = { host: 'mail.example.go.id', from: 'Simpul <simpul@example.go.id>' };

describe('notifications config', () => {
  it('mails every kind once mail is enabled, retrying from 1 minute up to 1 hour', () => {
    const c = loadConfig({ env: {}, defaults: { notifications: { mail: { enabled: true }, smtp } } });
    expect(c.notifications.kinds).toEqual({ requestFiled: true, requestDecided: true, exceptionEnding: true, diagramDue: true });
    expect(c.notifications.mail).toMatchObject({ enabled: true, retryMinSeconds: 60, retryMaxSeconds: 3600 });
    expect(c.notifications.smtp).toMatchObject({ port: 587, secure: false, requireTls: false });
    expect(loadConfig({ env: {} }).notifications.mail.enabled).toBe(false);
  });

  it('refuses an SMTP password written in the file, a misspelt kind and a public URL that is not http(s)', () => {
    expect(() => loadConfig({ env: {}, defaults: { notifications: { smtp: { ...smtp, auth: { username: 'simpul', password: 'rahasia' } } } } })).toThrow(
      /notifications\.smtp\.auth\.password: must be \{ env: VARIABLE \} or \{ file: \/path\/to\/secret \}/,
    );
    expect(() => loadConfig({ env: {}, defaults: { notifications: { kinds: { requestField: false } } } })).toThrow(
      /notifications\.kinds\.requestField: unknown key/,
    );
    expect(() => loadConfig({ env: {}, defaults: { http: { publicUrl: 'simpul.example.go.id' } } })).toThrow(/http\.publicUrl/);
  });
});
