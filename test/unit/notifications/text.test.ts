import { describe, expect, it } from 'vitest';
import { renderMail, renderNotification } from '../../../src/notifications/text.js';

const o = { timezone: 'Asia/Makassar', publicUrl: 'https://simpul.example.go.id/' };

describe('notification text', () => {
  it('says the same thing in Indonesian and English, times in the regency zone', () => {
    const p = { id: 4, opd: 'DINKES', value: 'siakad.example.ac.id', until: '2026-06-03T16:00:00.000Z', requestId: 12 };
    const id = renderMail('exception-ending', p, 'id', o, { name: 'Sari' });
    expect(id.subject).toBe('Akses DINKES ke siakad.example.ac.id berakhir 4 Juni 2026 pukul 00.00 WITA');
    expect(id.text).toContain('Yth. Sari,');
    expect(id.text).toContain('ajukan permintaan buka blokir yang baru');
    expect(id.text).toContain('https://simpul.example.go.id/requests/12');
    const en = renderMail('exception-ending', p, 'en', o, { name: 'Sari' });
    expect(en.subject).toMatch(/^DINKES's access to siakad\.example\.ac\.id ends 4 June 2026 at 00:00/);
    expect(en.text).toContain('Dear Sari,');
  });

  it('names the request type in the reader language and leaves out lines with nothing to say', () => {
    const filed = renderNotification('request-filed', { id: 9, type: 'unblock', opd: 'BAPPEDA', what: null, filedBy: 'tok' }, 'id', o, '2026-01-01T00:00:00Z');
    expect(filed.title).toBe('Permintaan buka blokir situs baru dari BAPPEDA (#9)');
    expect(filed.text).not.toContain('Keperluan');
    const approved = renderNotification(
      'request-approved',
      { id: 9, type: 'ip-block', opd: 'BAPPEDA', outcome: '10.20.0.0/25', until: null, reason: null },
      'en',
      o,
    );
    expect(approved.text).toBe('The NOC approved IP block request #9 for BAPPEDA.\nResult: 10.20.0.0/25');
  });

  it('counts days in English plurals, and tells an office that never uploaded', () => {
    const due = (days: number) =>
      renderNotification('diagram-due', { opd: 'DLH', name: 'Dinas Lingkungan Hidup', dueAt: '2026-07-01T00:00:00Z', days, version: 2 }, 'en', o).title;
    expect([due(1), due(12)]).toEqual(["DLH's LAN diagram is due in 1 day", "DLH's LAN diagram is due in 12 days"]);
    const never = renderNotification('diagram-overdue', { opd: 'DLH', name: 'Dinas Lingkungan Hidup', dueAt: null, days: null, version: null }, 'id', o);
    expect(never.text).toContain('belum pernah mengunggah diagram LAN');
    expect(never.link).toBe('/diagrams');
  });

  it('a mail without a public URL carries no link line', () => {
    const m = renderMail(
      'request-rejected',
      { id: 1, type: 'ip-block', opd: 'DLH', reason: 'terlalu besar' },
      'id',
      { timezone: 'Asia/Jakarta' },
      { name: 'A' },
    );
    expect(m.text).not.toContain('Lihat di Simpul');
    expect(m.text).toContain('Alasan: terlalu besar');
  });
});
