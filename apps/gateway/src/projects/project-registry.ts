import { createHash, randomBytes } from 'node:crypto';
import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Kvm, type KV, type KvWatchEntry } from '@nats-io/kv';
import { ApiKeyRecord, PROJECTS_BUCKET, ProjectRecord, type KeyKind } from '@tally/contracts';
import { NatsConnection } from '@tally/nats';
import type { GatewayConfig } from '../config/gateway.config.js';

/** Lowercase hex SHA-256: how an API key is stored and looked up. */
export const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');

const OWN_WRITE_WAIT_MS = 5_000;
const KEY_PREFIXES: Record<KeyKind, string> = { write: 'tw_', read: 'tr_', manage: 'tm_' };

interface StoredKey {
  hash: string;
  record: ApiKeyRecord;
}

/** Told the hash of a key that was revoked or deleted, on every replica. */
export type KeyRevokedListener = (keyHash: string) => void;

export interface IssuedKey {
  key: string;
  record: ApiKeyRecord;
}

/**
 * Projects and API keys, kept in the `TALLY_PROJECTS` KV bucket and mirrored in memory.
 *
 * Every replica watches the whole bucket (initial values, then updates), so key lookups on the
 * request path are map reads and a revocation written by any replica reaches all of them within
 * the watch's delivery time. Only SHA-256 hashes of keys are stored.
 */
@Injectable()
export class ProjectRegistry implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ProjectRegistry.name);
  private readonly projects = new Map<string, ProjectRecord>();
  /** By key hash. */
  private readonly keys = new Map<string, StoredKey>();
  private kv?: KV;
  private watcher?: { stop(): void };
  private revision = 0;
  private stopping = false;
  private waiters: Array<{ revision: number; resolve: () => void }> = [];
  private readonly revokedListeners = new Set<KeyRevokedListener>();

  constructor(
    private readonly nats: NatsConnection,
    private readonly config: ConfigService<GatewayConfig, true>,
  ) {}

  async onModuleInit(): Promise<void> {
    const kv = await new Kvm(this.nats.js).create(PROJECTS_BUCKET.name, {
      history: 1,
      replicas: this.config.get('projectsBucketReplicas', { infer: true }),
    });
    this.kv = kv;
    // NOTE: the watcher reports initial values and updates alike; the bucket's last sequence
    // before the watch starts tells when the initial values are all in.
    const { streamInfo } = await kv.status();
    // NOTE: an emptied bucket (stream purged) keeps its last sequence but delivers nothing.
    const { messages, last_seq: lastSeq } = streamInfo.state;
    const loaded = messages === 0 ? Promise.resolve() : this.untilRevision(lastSeq);
    const watch = await kv.watch();
    this.watcher = watch;
    void (async () => {
      for await (const entry of watch) this.apply(entry);
      if (!this.stopping) this.logger.error('project watch ended: key changes no longer arrive');
    })().catch((err: unknown) => this.logger.error({ err }, 'project watch failed'));
    await loaded;
    this.logger.log({ projects: this.projects.size, keys: this.keys.size }, 'projects loaded');
  }

  onModuleDestroy(): void {
    this.stopping = true;
    this.watcher?.stop();
  }

  /**
   * Calls `listener` whenever the watch sees a key revoked or deleted (on whichever replica it
   * was written), so that what a key holds open can be closed. Returns the unsubscribe.
   */
  onKeyRevoked(listener: KeyRevokedListener): () => void {
    this.revokedListeners.add(listener);
    return () => this.revokedListeners.delete(listener);
  }

  /** A key's record by the key's hash (`hashKey`); `undefined` when unknown. */
  findKey(keyHash: string): ApiKeyRecord | undefined {
    return this.keys.get(keyHash)?.record;
  }

  project(projectId: string): ProjectRecord | undefined {
    return this.projects.get(projectId);
  }

  listProjects(): ProjectRecord[] {
    return [...this.projects.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  listKeys(projectId: string): ApiKeyRecord[] {
    return [...this.keys.values()]
      .map((k) => k.record)
      .filter((r) => r.projectId === projectId)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async createProject(name: string): Promise<ProjectRecord> {
    const project: ProjectRecord = {
      id: randomBytes(8).toString('hex'),
      name,
      createdAt: new Date().toISOString(),
    };
    const revision = await this.bucket().create(
      PROJECTS_BUCKET.projectKey(project.id),
      JSON.stringify(project),
    );
    await this.untilRevision(revision, OWN_WRITE_WAIT_MS);
    return project;
  }

  /** Issues a new key; the key itself is returned here once and never stored. */
  async issueKey(projectId: string, kind: KeyKind): Promise<IssuedKey> {
    const key = `${KEY_PREFIXES[kind]}${randomBytes(32).toString('base64url')}`;
    const record: ApiKeyRecord = {
      keyId: `key_${randomBytes(8).toString('hex')}`,
      projectId,
      kind,
      createdAt: new Date().toISOString(),
    };
    const revision = await this.bucket().create(
      PROJECTS_BUCKET.apiKeyKey(hashKey(key)),
      JSON.stringify(record),
    );
    await this.untilRevision(revision, OWN_WRITE_WAIT_MS);
    return { key, record };
  }

  /** Marks the key revoked; `undefined` when the project has no such key. Idempotent. */
  async revokeKey(projectId: string, keyId: string): Promise<ApiKeyRecord | undefined> {
    const stored = [...this.keys.values()].find(
      (k) => k.record.keyId === keyId && k.record.projectId === projectId,
    );
    if (!stored) return undefined;
    if (stored.record.revokedAt) return stored.record;
    const revoked: ApiKeyRecord = { ...stored.record, revokedAt: new Date().toISOString() };
    const revision = await this.bucket().put(
      PROJECTS_BUCKET.apiKeyKey(stored.hash),
      JSON.stringify(revoked),
    );
    await this.untilRevision(revision, OWN_WRITE_WAIT_MS);
    return revoked;
  }

  private bucket(): KV {
    if (!this.kv) throw new Error('project registry is not initialised');
    return this.kv;
  }

  private apply(entry: KvWatchEntry): void {
    const deleted = entry.operation === 'DEL' || entry.operation === 'PURGE';
    if (entry.key.startsWith(PROJECTS_BUCKET.projectPrefix)) {
      const id = entry.key.slice(PROJECTS_BUCKET.projectPrefix.length);
      if (deleted) this.projects.delete(id);
      else this.parse(entry, ProjectRecord, (p) => this.projects.set(id, p));
    } else if (entry.key.startsWith(PROJECTS_BUCKET.apiKeyPrefix)) {
      const hash = entry.key.slice(PROJECTS_BUCKET.apiKeyPrefix.length);
      if (deleted) this.keys.delete(hash);
      else this.parse(entry, ApiKeyRecord, (record) => this.keys.set(hash, { hash, record }));
      if (deleted || this.keys.get(hash)?.record.revokedAt) this.keyRevoked(hash);
    }
    this.advance(entry.revision);
  }

  private keyRevoked(hash: string): void {
    for (const listener of this.revokedListeners) listener(hash);
  }

  private parse<T>(
    entry: KvWatchEntry,
    schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } },
    use: (value: T) => void,
  ): void {
    let value: unknown;
    try {
      value = entry.json();
    } catch {
      value = undefined;
    }
    const parsed = schema.safeParse(value);
    if (parsed.success) use(parsed.data);
    else this.logger.warn({ key: entry.key }, 'ignoring an invalid record in the projects bucket');
  }

  private advance(revision: number): void {
    this.revision = Math.max(this.revision, revision);
    const due = this.waiters.filter((w) => w.revision <= this.revision);
    this.waiters = this.waiters.filter((w) => w.revision > this.revision);
    for (const w of due) w.resolve();
  }

  /**
   * Resolves once the watch has applied `revision`, so this replica reads its own writes. After
   * a write, waiting is bounded: the write is durable even if the watch lags.
   */
  private untilRevision(revision: number, maxWaitMs?: number): Promise<void> {
    if (revision <= this.revision) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = { revision, resolve };
      this.waiters.push(waiter);
      if (maxWaitMs !== undefined) {
        setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          resolve();
        }, maxWaitMs).unref();
      }
    });
  }
}
