/**
 * Remote site agents on the controller's side: one-time enrollment codes, the agents' secrets
 * (SHA-256 only), their config (the devices the inventory gives them) and the batches of poll
 * records they upload, folded into the same Poller state as central polls.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { canSeeOpd, requirePermission, systemActor, type Actor } from '../auth/actor.js';
import { canonicalJson } from '../common/canonical-json.js';
import type { Clock } from '../common/clock.js';
import { AppError, badRequest, conflict, notFound } from '../common/errors.js';
import type { Agent } from '../inventory/model.js';
import type { DevicePoll } from '../snmp/reader.js';
import type { PollTarget } from '../snmp/session.js';
import type { Store } from '../store/store.js';
import {
  AGENT_AUTH_SCHEME,
  MAX_CLOCK_AHEAD_MS,
  pollFromWire,
  ProtocolError,
  type AgentBatch,
  type AgentConfig,
  type EnrollReply,
  type EnrollRequest,
} from './protocol.js';

export const CODE_TTL_MS = 24 * 3600_000;
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

interface AgentRow {
  id: string;
  opd: string;
  secret_hash: string | null;
  enrolled_at: string | null;
  revoked_at: string | null;
  hostname: string | null;
  agent_version: string | null;
  address: string | null;
  config_version: string | null;
  last_seen_at: string | null;
  last_batch: number;
  backlog_batches: number;
  dropped_samples: number;
}

export interface AgentOut {
  id: string;
  opd: string;
  description: string | null;
  pollIntervalSeconds: number;
  devices: string[];
  enrolled: boolean;
  enrolledAt: string | null;
  revokedAt: string | null;
  hostname: string | null;
  agentVersion: string | null;
  address: string | null;
  lastSeenAt: string | null;
  /** Seen within 3 poll intervals. */
  up: boolean;
  lastBatch: number;
  backlogBatches: number;
  droppedSamples: number;
}

/** What the service needs of the SNMP side: the poller's apply and read of one device. */
export interface PollSink {
  applyPoll(deviceId: string, poll: DevicePoll): unknown;
  deviceState(deviceId: string): { lastPollAt?: Date } | undefined;
}

export interface AgentServiceDeps {
  store: Store;
  clock: Clock;
  poller: PollSink;
  /** The inventory's agents (read at every call: reloads change them). */
  agents(): Agent[];
  /** The poll targets the inventory gives an agent, credentials resolved. */
  targets(agentId: string): PollTarget[];
  /** The inventory's devices that name the agent (a device whose credentials do not resolve has no target, but is listed). */
  devices(agentId: string): string[];
  defaultPollIntervalSeconds: number;
  queue: { maxAgeSeconds: number; maxBytes: number };
}

export interface Ingested {
  acked: number;
  /** False for a batch acknowledged before (replay): nothing written or applied. */
  stored: boolean;
  applied: number;
}

export class AgentService {
  constructor(private readonly deps: AgentServiceDeps) {}

  private declared(id: string): Agent | undefined {
    return this.deps.agents().find((a) => a.id === id);
  }

  private row(id: string): AgentRow | undefined {
    return this.deps.store.db.prepare('SELECT * FROM agents WHERE id = ?').get(id) as AgentRow | undefined;
  }

  /** A one-time enrollment code for the agent, valid 24 h; a new code replaces nothing until it is used. */
  issueCode(actor: Actor, id: string): { agentId: string; code: string; expiresAt: string } {
    requirePermission(actor, 'admin');
    const agent = this.declared(id);
    if (!agent) throw notFound('agent', id);
    const code = randomBytes(18).toString('base64url');
    const expiresAt = new Date(this.deps.clock.now().getTime() + CODE_TTL_MS).toISOString();
    this.deps.store.write(actor, (tx) => {
      tx.db.prepare('INSERT INTO agents (id, opd) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET opd = excluded.opd').run(id, agent.opd);
      tx.db
        .prepare('INSERT INTO agent_enrollment_codes (code_hash, agent_id, created_at, created_by, expires_at) VALUES (?, ?, ?, ?, ?)')
        .run(sha256(code), id, tx.now, actor.id, expiresAt);
      tx.audit({ action: 'agent.enrollment_code', objectType: 'agent', objectId: id, opd: agent.opd, after: { expiresAt } });
    });
    return { agentId: id, code, expiresAt };
  }

  /** Trades a one-time code for the agent's secret (shown once); a new enrollment replaces the old secret. */
  enroll(id: string, req: EnrollRequest, address: string): EnrollReply {
    const codeHash = sha256(req.code);
    const secret = randomBytes(32).toString('base64url');
    return this.deps.store.write(systemActor(`agent:${id}`), (tx) => {
      const c = tx.db.prepare('SELECT * FROM agent_enrollment_codes WHERE code_hash = ? AND agent_id = ?').get(codeHash, id) as
        | { expires_at: string; used_at: string | null }
        | undefined;
      if (!c) throw new AppError(401, 'AGENT_CODE_INVALID', `this is not an enrollment code of agent '${id}'; ask the NOC for one (simpul agent enroll ${id})`);
      if (c.used_at) throw new AppError(401, 'AGENT_CODE_USED', `this enrollment code was used at ${c.used_at}; a code works once: ask the NOC for a new one`);
      if (c.expires_at <= tx.now) throw new AppError(410, 'AGENT_CODE_EXPIRED', `this enrollment code expired at ${c.expires_at}; ask the NOC for a new one`);
      const agent = this.declared(id);
      if (!agent) throw new AppError(401, 'AGENT_UNKNOWN', `agent '${id}' is no longer in the inventory`);
      tx.db.prepare('UPDATE agent_enrollment_codes SET used_at = ? WHERE code_hash = ?').run(tx.now, codeHash);
      tx.db
        .prepare(
          'UPDATE agents SET secret_hash = ?, enrolled_at = ?, revoked_at = NULL, hostname = ?, agent_version = ?, address = ?, last_batch = 0 WHERE id = ?',
        )
        .run(sha256(secret), tx.now, req.hostname ?? null, req.agentVersion, address, id);
      tx.audit({
        action: 'agent.enroll',
        objectType: 'agent',
        objectId: id,
        opd: agent.opd,
        after: { hostname: req.hostname ?? null, agentVersion: req.agentVersion, address },
      });
      return { agentId: id, secret };
    });
  }

  /** Refuses the agent from its next request on; pending codes die with it. */
  revoke(actor: Actor, id: string): AgentOut {
    requirePermission(actor, 'admin');
    // an agent no longer in the inventory is refused at its next request anyway (AGENT_UNKNOWN)
    const agent = this.declared(id);
    if (!agent) throw notFound('agent', id);
    this.deps.store.write(actor, (tx) => {
      const before = tx.db.prepare('SELECT secret_hash FROM agents WHERE id = ?').get(id) as { secret_hash: string | null } | undefined;
      tx.db.prepare('INSERT INTO agents (id, opd) VALUES (?, ?) ON CONFLICT (id) DO NOTHING').run(id, agent.opd);
      tx.db.prepare('UPDATE agents SET secret_hash = NULL, revoked_at = ? WHERE id = ?').run(tx.now, id);
      tx.db.prepare('UPDATE agent_enrollment_codes SET expires_at = ? WHERE agent_id = ? AND used_at IS NULL AND expires_at > ?').run(tx.now, id, tx.now);
      tx.audit({ action: 'agent.revoke', objectType: 'agent', objectId: id, opd: agent.opd, before: { enrolled: !!before?.secret_hash } });
    });
    return this.out(agent);
  }

  /**
   * The agent named in the path, from its `Authorization: Agent <id>.<secret>` header; 401 for
   * anything else (unknown, revoked, removed from the inventory, wrong secret), saying which.
   */
  authenticate(pathId: string, header: string | undefined): Agent {
    const m = header ? new RegExp(`^${AGENT_AUTH_SCHEME} ([a-z0-9][a-z0-9-]{0,62})\\.([A-Za-z0-9_-]{16,128})$`).exec(header) : null;
    if (!m) throw new AppError(401, 'AGENT_AUTH_MISSING', `send "Authorization: ${AGENT_AUTH_SCHEME} <agentId>.<secret>" with the secret from enrollment`);
    if (m[1] !== pathId) throw new AppError(401, 'AGENT_AUTH_MISMATCH', `these credentials are agent '${m[1]}'s, not '${pathId}'s`);
    const row = this.row(pathId);
    if (row?.revoked_at) throw new AppError(401, 'AGENT_REVOKED', `agent '${pathId}' was revoked at ${row.revoked_at}; enroll it again with a new code`);
    const got = Buffer.from(sha256(m[2]!), 'hex');
    if (!row?.secret_hash || !timingSafeEqual(got, Buffer.from(row.secret_hash, 'hex')))
      throw new AppError(401, 'AGENT_AUTH_INVALID', `unknown agent or wrong secret for '${pathId}'`);
    const agent = this.declared(pathId);
    if (!agent) throw new AppError(401, 'AGENT_UNKNOWN', `agent '${pathId}' is no longer in the inventory`);
    return agent;
  }

  config(agent: Agent): AgentConfig {
    const body = {
      pollIntervalSeconds: agent.pollIntervalSeconds ?? this.deps.defaultPollIntervalSeconds,
      targets: this.deps.targets(agent.id),
      queue: { ...this.deps.queue },
    };
    // keyed: the config holds SNMP secrets, and a plain hash of them could be guessed offline
    return { configVersion: createHmac('sha256', this.deps.store.key).update(canonicalJson(body)).digest('hex').slice(0, 16), ...body };
  }

  /** After a start or an inventory reload: every agent whose config changed gets an audit entry saying what it polls now. */
  recordConfigs(): void {
    const changed = this.deps.agents().flatMap((a) => {
      const c = this.config(a);
      return this.row(a.id)?.config_version === c.configVersion ? [] : [{ a, c }];
    });
    if (!changed.length) return;
    this.deps.store.write(systemActor('inventory'), (tx) => {
      for (const { a, c } of changed) {
        tx.db
          .prepare(
            'INSERT INTO agents (id, opd, config_version) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET opd = excluded.opd, config_version = excluded.config_version',
          )
          .run(a.id, a.opd, c.configVersion);
        tx.audit({
          action: 'agent.config',
          objectType: 'agent',
          objectId: a.id,
          opd: a.opd,
          after: { devices: c.targets.map((t) => t.id), pollIntervalSeconds: c.pollIntervalSeconds, queue: c.queue },
        });
      }
    });
  }

  /**
   * Stores one batch (idempotent on its number) in one transaction, then folds its polls into the
   * poller, oldest first. Nothing is stored or applied when any part of the batch is refused.
   */
  ingest(agent: Agent, batch: AgentBatch, address: string): Ingested {
    // a replay is acknowledged whatever changed since (its device moved, say): it was stored once
    const acked = this.row(agent.id)?.last_batch ?? 0;
    if (batch.batch <= acked) return { acked, stored: false, applied: 0 };
    const now = this.deps.clock.now().getTime();
    const ahead = (ms: number, field: string) => {
      if (ms > now + MAX_CLOCK_AHEAD_MS)
        throw new AppError(
          422,
          'AGENT_CLOCK_AHEAD',
          `${field} is ${Math.round((ms - now) / 1000)} s ahead of the controller's clock: set the agent's clock right (NTP); its records would date rates wrongly`,
          field,
        );
    };
    ahead(Date.parse(batch.createdAt), 'createdAt');
    const assigned = new Set(this.deps.targets(agent.id).map((t) => t.id));
    const polls = batch.polls.map((w, i) => {
      if (!assigned.has(w.deviceId))
        throw new AppError(
          403,
          'AGENT_DEVICE_NOT_ASSIGNED',
          `device '${w.deviceId}' is not polled by agent '${agent.id}' in the inventory; nothing of this batch was stored`,
          `polls.${i}.deviceId`,
        );
      ahead(w.wallMs, `polls.${i}.wallMs`);
      if (w.time) ahead(w.time.wallMs, `polls.${i}.time.wallMs`);
      try {
        return pollFromWire(w, `polls.${i}`);
      } catch (e) {
        if (e instanceof ProtocolError) throw badRequest('AGENT_POLL_INVALID', e.message, e.field);
        throw e;
      }
    });
    if (batch.droppedBatches && batch.droppedBatches[0] > batch.droppedBatches[1])
      throw badRequest('AGENT_BATCH_INVALID', 'droppedBatches is [from, to] with from <= to', 'droppedBatches');

    const stored = this.deps.store.write(systemActor(`agent:${agent.id}`), (tx) => {
      const row = tx.db.prepare('SELECT last_batch FROM agents WHERE id = ?').get(agent.id) as { last_batch: number } | undefined;
      const last = row?.last_batch ?? 0;
      if (batch.batch <= last) return { acked: last, stored: false }; // the same batch, sent twice at once
      const expected = last + 1;
      const gap = batch.droppedBatches;
      if (batch.batch > expected && !(gap && gap[0] === expected && gap[1] === batch.batch - 1)) {
        throw conflict(
          'AGENT_BATCH_GAP',
          `expected batch ${expected}, got ${batch.batch}: send the batches in order, or declare the ones dropped as droppedBatches: [${expected}, ${batch.batch - 1}]`,
          { expected },
        );
      }
      tx.db
        .prepare('UPDATE agents SET last_batch = ?, last_seen_at = ?, backlog_batches = ?, dropped_samples = ?, agent_version = ?, address = ? WHERE id = ?')
        .run(batch.batch, tx.now, batch.backlogBatches, batch.droppedSamples, batch.agentVersion, address, agent.id);
      return { acked: batch.batch, stored: true };
    });
    if (!stored.stored) return { ...stored, applied: 0 };
    // in the order they were read; a poll older than what a device already shows is stale (a device moved between pollers)
    let applied = 0;
    for (const p of [...polls].sort((a, b) => a.wallMs - b.wallMs)) {
      const seen = this.deps.poller.deviceState(p.deviceId)?.lastPollAt?.getTime();
      if (seen !== undefined && p.wallMs <= seen) continue;
      if (this.deps.poller.applyPoll(p.deviceId, p)) applied++;
    }
    return { ...stored, applied };
  }

  /** Marks the agent seen (a config fetch is a sign of life too). */
  seen(agent: Agent, address: string): void {
    this.deps.store.write(systemActor(`agent:${agent.id}`), (tx) => {
      tx.db.prepare('UPDATE agents SET last_seen_at = ?, address = ? WHERE id = ?').run(tx.now, address, agent.id);
    });
  }

  list(actor: Actor): AgentOut[] {
    requirePermission(actor, 'read');
    return this.deps
      .agents()
      .filter((a) => canSeeOpd(actor, a.opd))
      .map((a) => this.out(a));
  }

  get(actor: Actor, id: string): AgentOut {
    requirePermission(actor, 'read');
    const a = this.declared(id);
    if (!a || !canSeeOpd(actor, a.opd)) throw notFound('agent', id);
    return this.out(a);
  }

  private out(a: Agent): AgentOut {
    const r = this.row(a.id);
    const interval = a.pollIntervalSeconds ?? this.deps.defaultPollIntervalSeconds;
    const seen = r?.last_seen_at ? Date.parse(r.last_seen_at) : undefined;
    return {
      id: a.id,
      opd: a.opd,
      description: a.description ?? null,
      pollIntervalSeconds: interval,
      devices: this.deps.devices(a.id),
      enrolled: !!r?.secret_hash,
      enrolledAt: r?.enrolled_at ?? null,
      revokedAt: r?.revoked_at ?? null,
      hostname: r?.hostname ?? null,
      agentVersion: r?.agent_version ?? null,
      address: r?.address ?? null,
      lastSeenAt: r?.last_seen_at ?? null,
      up: !!r?.secret_hash && seen !== undefined && this.deps.clock.now().getTime() - seen <= 3 * interval * 1000,
      lastBatch: r?.last_batch ?? 0,
      backlogBatches: r?.backlog_batches ?? 0,
      droppedSamples: r?.dropped_samples ?? 0,
    };
  }
}
