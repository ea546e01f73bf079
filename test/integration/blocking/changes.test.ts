import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/common/clock.js';
import { RequestService } from '../../../src/requests/service.js';
import type { BlockingService } from '../../../src/blocking/service.js';
import { blockingOnStore } from '../../helpers/blocking.js';
import { unblockRequest } from '../../../src/blocking/unblock-request.js';
import { importList } from '../../../src/blocking/import.js';
import type { ChangedOpds } from '../../../src/blocking/effective.js';
import type { Store } from '../../../src/store/store.js';
import { systemActor, type Actor } from '../../../src/auth/actor.js';

const clock = new ManualClock(new Date('2026-11-23T00:00:00Z'));
const noc: Actor = { id: 'noc', role: 'noc-operator', opd: null };
const dinkes: Actor = { id: 'dinkes', role: 'opd-admin', opd: 'DINKES' };
let store: Store;
let svc: BlockingService;
let requests: RequestService;
let heard: ChangedOpds[] = [];
let close: () => void;

async function* lines(text: string) {
  yield Buffer.from(text);
}

beforeAll(async () => {
  ({ store, svc, close } = blockingOnStore(clock));
  requests = new RequestService(store);
  requests.register(unblockRequest(svc, requests));
  svc.onChange((o) => heard.push(o));
  await importList(svc, noc, 'judi', { source: 'feed', format: 'auto', dryRun: false }, lines('judi.example\n*.slot.example\n'), {
    maxBytes: 1e6,
    maxLineBytes: 1000,
  });
});
afterAll(() => close());

describe('change notification', () => {
  it('an import, a policy change, approval, expiry and revocation each tell which OPDs changed, after commit', async () => {
    expect(heard).toEqual(['all']);
    heard = [];
    // Re-import of the same content changes nothing: no notification.
    await importList(svc, noc, 'judi', { source: 'feed', format: 'auto', dryRun: false }, lines('judi.example\n*.slot.example\n'), {
      maxBytes: 1e6,
      maxLineBytes: 1000,
    });
    expect(heard).toEqual([]);
    svc.setExclusions(noc, 'judi', ['BAPPEDA']);
    expect(heard).toEqual([['BAPPEDA']]);
    svc.setExclusions(noc, 'judi', []);
    heard = [];

    const until = new Date(clock.now().getTime() + 3_600_000).toISOString();
    const r = requests.file(dinkes, { type: 'unblock', domain: 'judi.example', justification: 'j', duty: 'd', until });
    expect(heard).toEqual([]);
    requests.approve(noc, r.id, {});
    expect(heard).toEqual([['DINKES']]);
    expect(svc.effective('DINKES').domains.map((x) => x.name)).toEqual(['slot.example']);
    // effective(at) answers for a given time: at the end, the site is blocked again.
    expect(svc.effective('DINKES', new Date(until)).domains.map((x) => x.name)).toEqual(['judi.example', 'slot.example']);

    heard = [];
    expect(svc.sweep()).toBe(0);
    clock.advance(3_600_000);
    expect(svc.sweep()).toBe(1);
    expect(heard).toEqual([['DINKES']]);
    expect(svc.sweep()).toBe(0);
    const audit = store.db.prepare("SELECT actor_id, opd FROM audit_log WHERE action = 'blocklist.exception.expire'").all();
    expect(audit).toEqual([{ actor_id: 'system:blocking-expiry', opd: 'DINKES' }]);
  });

  it('a write that rolls back tells nobody', () => {
    heard = [];
    expect(() =>
      store.write(systemActor('test'), () => {
        svc.markChanged(['DINKES'], true);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    store.write(systemActor('test'), () => undefined);
    expect(heard).toEqual([]);
  });
});
