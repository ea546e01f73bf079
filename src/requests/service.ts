import type { Store, Tx } from '../store/store.js';
import { badRequest, conflict, forbidden, notFound } from '../common/errors.js';
import { canSeeOpd, requirePermission, seesAllOpds, type Actor } from '../auth/actor.js';
import { transition, type RequestAction, type RequestState } from './state.js';
import { Type, type TProperties } from '@sinclair/typebox';
import type { ValidateFunction } from 'ajv';
import { compileBodySchema } from '../http/validation.js';
import { TextLines } from '../http/schemas.js';
import { hasOpd } from '../inventory/read.js';

/**
 * What a request type must say: the fields it takes when filed and when approved (schemas the API
 * documents and validates, and that filing from the pages goes through too), how to check what the
 * OPD asked, and what approval does.
 */
export interface RequestType {
  name: string;
  /** The fields a filing takes besides `type` and `opd`. */
  fields: TProperties;
  /** The fields an approval takes besides `note` (which every type takes). */
  decision: TProperties;
  /** Normalizes and checks the filed body (without type and opd); throws 400 with the field. */
  validate(body: Record<string, unknown>, opd: string, tx: Tx): Record<string, unknown>;
  /** Does the work inside the approval's transaction; returns the result and the steps to show. */
  approve(tx: Tx, req: RequestRecord, decision: Record<string, unknown>): { result: Record<string, unknown>; steps: string[] };
}

export interface RequestRecord {
  id: number;
  type: string;
  opd: string;
  state: RequestState;
  body: Record<string, unknown>;
  result: Record<string, unknown> | null;
  reason: string | null;
  createdAt: string;
  createdBy: string;
  /** Who filed, for people: the account's display name or the token's name, kept when filed. */
  createdByName: string | null;
  decidedAt: string | null;
  decidedBy: string | null;
  decidedByName: string | null;
  steps: { at: string; actor: string; actorName: string | null; step: string; detail: string }[];
}

/** A request's change as listeners hear it (notifications). */
export interface RequestChange {
  kind: 'filed' | Exclude<RequestState, 'pending'>;
  request: RequestRecord;
}

interface Row {
  id: number;
  type: string;
  opd: string;
  state: RequestState;
  body_json: string;
  result_json: string | null;
  reason: string | null;
  created_at: string;
  created_by: string;
  decided_at: string | null;
  decided_by: string | null;
  created_by_name: string | null;
  decided_by_name: string | null;
}

/**
 * Tier 1 (OPD) to Tier 2 (Diskominfo). An opd-admin files for its own OPD; the NOC decides.
 * Approval runs the type's work in the same transaction that marks the request approved, so a
 * request is never approved without its result, nor approved twice.
 */
/** Every approval may carry a note; it is kept as the decision's reason. */
export const DECISION_NOTE = { note: Type.Optional(TextLines(1000)) };

const objectOf = (props: TProperties) => Type.Object(props, { additionalProperties: false });

/** The first schema failure as a problem naming the field (the same words for the API and the pages). */
function checkFields(check: ValidateFunction, body: Record<string, unknown>, what: string): void {
  if (check(body)) return;
  const e = check.errors![0]!;
  const at = e.instancePath.replace(/^\//, '').replaceAll('/', '.');
  if (e.keyword === 'additionalProperties') {
    const f = String(e.params.additionalProperty);
    throw badRequest('VALIDATION_FAILED', `${f} does not belong in ${what}`, f);
  }
  throw badRequest('VALIDATION_FAILED', `${at || 'the body'} ${e.message ?? 'is invalid'}`, at || undefined);
}

interface Registered {
  type: RequestType;
  checkFile: ValidateFunction;
  checkDecision: ValidateFunction;
}

export class RequestService {
  private readonly types = new Map<string, Registered>();
  private readonly listeners: ((c: RequestChange) => void)[] = [];

  constructor(private readonly store: Store) {}

  register(t: RequestType): void {
    this.types.set(t.name, {
      type: t,
      checkFile: compileBodySchema(objectOf(t.fields)),
      checkDecision: compileBodySchema(objectOf({ ...t.decision, ...DECISION_NOTE })),
    });
  }

  /** The registered types, for the API's body schemas (at ready(), once every module registered its own). */
  registered(): RequestType[] {
    return [...this.types.values()].map((r) => r.type);
  }

  /**
   * Hears every filing and decision inside its transaction, so what a listener writes through the
   * store (a notification and its queued mail) commits or rolls back with the change itself: a
   * crash can neither lose it nor record it for a request that never was. A listener must not throw.
   */
  onChange(fn: (c: RequestChange) => void): void {
    this.listeners.push(fn);
  }

  get typeNames(): string[] {
    return [...this.types.keys()];
  }

  file(actor: Actor, input: Record<string, unknown>): RequestRecord {
    requirePermission(actor, 'write:opd');
    const { type: typeName, opd: asked, ...body } = input;
    const reg = this.types.get(String(typeName));
    if (!reg) throw badRequest('UNKNOWN_REQUEST_TYPE', `type must be one of ${this.typeNames.join(', ')}`, 'type');
    const type = reg.type;
    checkFields(reg.checkFile, body, `an ${type.name} request`);
    let opd: string;
    if (actor.role === 'opd-admin') {
      if (asked !== undefined && asked !== actor.opd) throw forbidden(`you may file requests only for your own OPD (${actor.opd})`);
      opd = actor.opd!;
    } else {
      if (typeof asked !== 'string') throw badRequest('OPD_REQUIRED', 'name the OPD the request is for (opd: CODE)', 'opd');
      opd = asked;
    }
    return this.store.write(actor, (tx) => {
      if (!hasOpd(tx.db, opd)) throw badRequest('UNKNOWN_OPD', `OPD '${opd}' is not in the inventory`, 'opd');
      const normalized = type.validate(body, opd, tx);
      const id = tx.db
        .prepare("INSERT INTO requests (type, opd, state, body_json, created_at, created_by, created_by_name) VALUES (?, ?, 'pending', ?, ?, ?, ?)")
        .run(type.name, opd, JSON.stringify(normalized), tx.now, actor.id, actor.name ?? null).lastInsertRowid as number;
      this.step(tx, id, 'filed', `${type.name} request filed for ${opd}`);
      const rec = this.record(id)!;
      tx.audit({ action: 'request.file', objectType: 'request', objectId: String(id), opd, after: { type: rec.type, state: rec.state, body: rec.body } });
      for (const l of this.listeners) l({ kind: 'filed', request: rec });
      return rec;
    });
  }

  /** How many requests there are of each type and state (the metrics). */
  counts(): { type: string; state: string; n: number }[] {
    return this.store.db.prepare('SELECT type, state, count(*) AS n FROM requests GROUP BY type, state').all() as { type: string; state: string; n: number }[];
  }

  /** A pending request of this type for this OPD whose body field holds this value, if any (to refuse asking twice). */
  pendingWith(db: Tx['db'], type: string, opd: string, field: string, value: string): number | undefined {
    return db
      .prepare("SELECT id FROM requests WHERE type = ? AND opd = ? AND state = 'pending' AND json_extract(body_json, ?) = ?")
      .pluck()
      .get(type, opd, `$.${field}`, value) as number | undefined;
  }

  /** Newest first; `offset` pages (a page asks one more than it shows to know whether a next exists). */
  list(actor: Actor, f: { state?: string; type?: string; opd?: string; limit?: number; offset?: number } = {}): RequestRecord[] {
    requirePermission(actor, 'read');
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (sql: string, v: unknown) => (where.push(sql), args.push(v));
    if (!seesAllOpds(actor)) add('opd = ?', actor.opd);
    if (f.state) add('state = ?', f.state);
    if (f.type) add('type = ?', f.type);
    if (f.opd) add('opd = ?', f.opd);
    const ids = this.store.db
      .prepare(`SELECT id FROM requests ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id DESC LIMIT ? OFFSET ?`)
      .pluck()
      .all(...args, f.limit ?? 200, f.offset ?? 0) as number[];
    return ids.map((id) => this.record(id)!);
  }

  get(actor: Actor, id: number): RequestRecord {
    requirePermission(actor, 'read');
    const r = this.record(id);
    if (!r || !canSeeOpd(actor, r.opd)) throw notFound('request', String(id));
    return r;
  }

  approve(actor: Actor, id: number, decision: Record<string, unknown>): RequestRecord {
    requirePermission(actor, 'operate');
    return this.decide(actor, id, 'approve', (tx, rec) => {
      const { type, checkDecision } = this.types.get(rec.type)!;
      checkFields(checkDecision, decision, `an ${type.name} approval`);
      const { result, steps } = type.approve(tx, rec, decision);
      tx.db.prepare('UPDATE requests SET result_json = ? WHERE id = ?').run(JSON.stringify(result), id);
      for (const s of steps) this.step(tx, id, 'work', s);
      return typeof decision.note === 'string' ? decision.note : null;
    });
  }

  reject(actor: Actor, id: number, reason: string): RequestRecord {
    requirePermission(actor, 'operate');
    if (!reason.trim()) throw badRequest('REASON_REQUIRED', 'say why the request is rejected; the OPD reads it', 'reason');
    return this.decide(actor, id, 'reject', () => reason.trim());
  }

  /** The requester's OPD (or the NOC) withdraws a request that is still pending. */
  cancel(actor: Actor, id: number): RequestRecord {
    requirePermission(actor, 'write:opd');
    return this.decide(actor, id, 'cancel', () => null);
  }

  private decide(actor: Actor, id: number, action: RequestAction, work: (tx: Tx, rec: RequestRecord) => string | null): RequestRecord {
    return this.store.write(actor, (tx) => {
      const rec = this.record(id);
      if (!rec || !canSeeOpd(actor, rec.opd)) throw notFound('request', String(id));
      const next = transition(rec.state, action);
      if (!next)
        throw conflict('REQUEST_NOT_PENDING', `request ${id} is already ${rec.state}${rec.decidedBy ? ` (by ${rec.decidedBy} at ${rec.decidedAt})` : ''}`);
      const reason = work(tx, rec);
      tx.db
        .prepare('UPDATE requests SET state = ?, reason = ?, decided_at = ?, decided_by = ?, decided_by_name = ? WHERE id = ?')
        .run(next, reason, tx.now, actor.id, actor.name ?? null, id);
      this.step(tx, id, next, reason ? `${next}: ${reason}` : next);
      const after = this.record(id)!;
      tx.audit({
        action: `request.${action}`,
        objectType: 'request',
        objectId: String(id),
        opd: rec.opd,
        before: { state: rec.state },
        after: { state: next, reason, result: after.result },
      });
      for (const l of this.listeners) l({ kind: next as RequestChange['kind'], request: after });
      return after;
    });
  }

  private step(tx: Tx, id: number, step: string, detail: string): void {
    tx.db
      .prepare('INSERT INTO request_steps (request_id, at, actor_id, actor_name, step, detail) VALUES (?, ?, ?, ?, ?, ?)')
      .run(id, tx.now, tx.actor.id, tx.actor.name ?? null, step, detail);
  }

  private record(id: number): RequestRecord | null {
    const r = this.store.db.prepare('SELECT * FROM requests WHERE id = ?').get(id) as Row | undefined;
    if (!r) return null;
    const steps = this.store.db
      .prepare('SELECT at, actor_id AS actor, actor_name AS actorName, step, detail FROM request_steps WHERE request_id = ? ORDER BY id')
      .all(id) as RequestRecord['steps'];
    return {
      id: r.id,
      type: r.type,
      opd: r.opd,
      state: r.state,
      body: JSON.parse(r.body_json),
      result: r.result_json ? JSON.parse(r.result_json) : null,
      reason: r.reason,
      createdAt: r.created_at,
      createdBy: r.created_by,
      createdByName: r.created_by_name,
      decidedAt: r.decided_at,
      decidedBy: r.decided_by,
      decidedByName: r.decided_by_name,
      steps,
    };
  }
}
