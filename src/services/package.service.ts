import type { Readable } from 'node:stream';
import type { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import { isAdmin } from '../auth/principal.js';
import { canModify, ownedScope, requireWriter, targetTenant } from '../auth/tenant-guard.js';
import { isForeignKeyViolation, isUniqueViolation } from '../db/db-errors.js';
import { AppInstance, AppPackage, OnboardingState, OperationalState, PackageDistribution, PackageType } from '../db/entities/index.js';
import { DomainError, ErrorCode, notFound } from '../errors.js';
import { appendEvent } from '../events/event-log.js';
import type { Logger } from '../observability/logger.js';
import type { PackageProcessor } from '../packages/parsed-package.js';
import type { PackageStore } from '../packages/package-store.js';
import type { Received } from '../packages/receive-to-file.js';
import { receiveToFile } from '../packages/receive-to-file.js';
import { checkUrlTarget, fetchToFile, type FetchPolicy } from '../packages/url-fetcher.js';
import { idempotent } from './idempotency.js';
import { checkAppId, checkOrigin, checkPackageId, checkSha256 } from './package.validation.js';
import { afterCursorFilter, pageSize, toPage, type Page, type PageArgs } from './pagination.js';
import type { RequestContext } from './request-context.js';

export interface PackageServiceOptions {
  store: PackageStore;
  processor: PackageProcessor;
  maxBytes: number;
  maxPerTenant: number;
  maxPageSize: number;
  fetch: Omit<FetchPolicy, 'maxBytes'>;
  log: Logger;
}

export interface PackageIdentity {
  /** Owner tenant: defaults to the caller's; admins may name another. */
  tenantId?: string | null;
  packageId?: string | null;
  appId?: string | null;
  origin?: string | null;
}

export interface PackageFilter {
  nameContains?: string | null;
  appId?: string | null;
  type?: PackageType | null;
  onboardingState?: OnboardingState | null;
  operationalState?: OperationalState | null;
}

const IN_FLIGHT = [OnboardingState.CREATED, OnboardingState.UPLOADING, OnboardingState.PROCESSING];
/** How often upload progress (and liveness) is written to the row. */
const PROGRESS_EVERY_MS = 1000;

const newId = () => crypto.randomUUID().replaceAll('-', '');

/**
 * Application packages: onboarding (streamed upload or pull from a URL), storage, queries and deletion.
 * An upload that is rejected leaves nothing behind: no row, no stored file, no temp file.
 */
export class PackageService {
  private readonly background = new Set<Promise<void>>();

  constructor(private readonly o: PackageServiceOptions) {}

  /**
   * Streams a package body to disk, validates and parses it, and stores it. The same package id with the same
   * bytes answers the existing package (`created: false`); with other bytes it is a CONFLICT. `requestDone`
   * settles when the rest of the request has been read; a rejection discards the upload.
   */
  async upload(ctx: RequestContext, ident: PackageIdentity, body: Readable, requestDone: Promise<void> = Promise.resolve()): Promise<{ pkg: AppPackage; created: boolean }> {
    const { tenantId, id, appId, origin } = this.identity(ctx, ident);
    const existing = await ctx.em.fork().findOne(AppPackage, { id });
    const owned = existing ? null : await this.insertOnboarding(ctx, { id, appId, tenantId, origin, sourceUrl: null }, OnboardingState.UPLOADING);
    const temp = this.o.store.tempPath();
    let received: Received;
    try {
      received = await receiveToFile(body, temp, this.o.maxBytes, owned ? this.progressWriter(ctx, id) : undefined);
      // The rest of the request (a multipart form's closing parts) must also be sound before anything is kept.
      await requestDone;
    } catch (e) {
      await this.o.store.removeTemp(temp).catch(() => undefined);
      if (owned) await this.forget(ctx, id);
      throw e;
    }
    if (!owned) return this.compareWithExisting(ctx, id, tenantId, received.sha256, temp);
    try {
      return { pkg: await this.processAndStore(ctx.em.fork(), id, temp, received), created: true };
    } catch (e) {
      await this.forget(ctx, id);
      throw e;
    }
  }

  /**
   * Pulls a package from an http(s) URL (ETSI MEC 010-2 style). Answers at once with the package in CREATED;
   * the download and validation continue in the background and end ONBOARDED or FAILED with a reason.
   */
  async onboardFromUrl(ctx: RequestContext, ident: PackageIdentity & { url: string; checksum: string }, idempotencyKey?: string | null): Promise<AppPackage> {
    const { tenantId, id, appId, origin } = this.identity(ctx, ident);
    const url = (await checkUrlTarget(ident.url, this.o.fetch.allowPrivate)).toString();
    const checksum = checkSha256(ident.checksum);
    // The request is what the client sent: generated ids differ on every call and must not make a retry look new.
    const request = { tenantId, packageId: ident.packageId ?? null, appId: ident.appId ?? null, origin, url, checksum };
    return idempotent(ctx, idempotencyKey, 'onboardPackage', request, {
      run: async () => {
        const existing = await ctx.em.fork().findOne(AppPackage, { id });
        if (existing) {
          if (existing.tenantId === tenantId && existing.sha256 === checksum && existing.onboardingState === OnboardingState.ONBOARDED) {
            return { value: existing, remember: { packageId: id } };
          }
          throw new DomainError(ErrorCode.CONFLICT, `package id ${id} is already in use`, { field: 'packageId' });
        }
        // CREATED until the download starts (it may wait for a connection); UPLOADING while bytes arrive.
        await this.insertOnboarding(ctx, { id, appId, tenantId, origin, sourceUrl: url }, OnboardingState.CREATED);
        this.track(this.pull(ctx, id, url, checksum));
        return { value: await this.get(ctx, id, ctx.em.fork()), remember: { packageId: id } };
      },
      replay: (r) => this.get(ctx, String(r.packageId)),
    });
  }

  async list(ctx: RequestContext, args: PageArgs & { filter?: PackageFilter | null }): Promise<Page<AppPackage>> {
    const limit = pageSize(args.first, this.o.maxPageSize);
    const f = args.filter ?? {};
    const where: FilterQuery<AppPackage>[] = [ownedScope(ctx.principal)];
    if (f.nameContains != null) where.push({ name: { $ilike: `%${f.nameContains.replace(/[\\%_]/g, (c) => `\\${c}`)}%` } });
    if (f.appId != null) where.push({ appId: f.appId });
    if (f.type != null) where.push({ type: f.type });
    if (f.onboardingState != null) where.push({ onboardingState: f.onboardingState });
    if (f.operationalState != null) where.push({ operationalState: f.operationalState });
    const filter: FilterQuery<AppPackage> = { $and: where };
    const [rows, total] = await Promise.all([
      ctx.em.find(AppPackage, { $and: [filter, afterCursorFilter(args.after) as FilterQuery<AppPackage>] }, { orderBy: { createdAt: 'asc', id: 'asc' }, limit: limit + 1 }),
      ctx.em.count(AppPackage, filter),
    ]);
    return toPage(rows, limit, total);
  }

  /** A package the caller may see; NOT_FOUND otherwise (no existence leak across tenants). */
  async get(ctx: RequestContext, id: string, em: EntityManager = ctx.em): Promise<AppPackage> {
    const pkg = /^[A-Za-z0-9_-]{1,64}$/.test(id) ? await em.findOne(AppPackage, { id }) : null;
    if (!pkg || (!isAdmin(ctx.principal) && pkg.tenantId !== ctx.principal.tenantId)) throw notFound('package', id);
    return pkg;
  }

  async setOperationalState(ctx: RequestContext, id: string, state: OperationalState, expectedVersion?: number | null, idempotencyKey?: string | null): Promise<AppPackage> {
    requireWriter(ctx.principal);
    return idempotent(ctx, idempotencyKey, 'setPackageOperationalState', { id, state, expectedVersion }, {
      run: async (em) => {
        const pkg = await this.get(ctx, id, em);
        if (!canModify(ctx.principal, pkg.tenantId)) throw new DomainError(ErrorCode.FORBIDDEN, 'not your package');
        if (expectedVersion != null && expectedVersion !== pkg.rowVersion) {
          throw new DomainError(ErrorCode.CONFLICT, `package is at version ${pkg.rowVersion}, not ${expectedVersion}`, { field: 'expectedVersion', currentVersion: pkg.rowVersion });
        }
        if (pkg.onboardingState !== OnboardingState.ONBOARDED) throw new DomainError(ErrorCode.CONFLICT, `package is ${pkg.onboardingState}, not ONBOARDED`);
        pkg.operationalState = state;
        await em.flush();
        return { value: pkg, remember: { packageId: id } };
      },
      replay: (r) => this.get(ctx, String(r.packageId)),
    });
  }

  /** Deletes a package and its file; refused while it is onboarding, used by instances or present on hosts. */
  async delete(ctx: RequestContext, id: string, idempotencyKey?: string | null): Promise<string> {
    requireWriter(ctx.principal);
    let storageKey: string | null = null;
    const deleted = await idempotent(ctx, idempotencyKey, 'deletePackage', { id }, {
      run: async (em) => {
        const pkg = await this.get(ctx, id, em);
        if (!canModify(ctx.principal, pkg.tenantId)) throw new DomainError(ErrorCode.FORBIDDEN, 'not your package');
        if (IN_FLIGHT.includes(pkg.onboardingState)) throw new DomainError(ErrorCode.CONFLICT, `package is still ${pkg.onboardingState}`);
        const instances = await em.count(AppInstance, { package: id });
        if (instances > 0) throw inUse(`${instances} app instance(s) use it; terminate them first`);
        const hosts = await em.count(PackageDistribution, { package: id });
        if (hosts > 0) throw inUse(`it is on ${hosts} host(s); remove it from them first`);
        storageKey = pkg.storageKey;
        appendEvent(em, { topic: 'package.deleted', tenantId: pkg.tenantId, subjectId: pkg.id, payload: { id: pkg.id, appId: pkg.appId, tenantId: pkg.tenantId, origin: pkg.origin } });
        em.remove(pkg);
        try {
          await em.flush();
        } catch (e) {
          if (isForeignKeyViolation(e)) throw inUse('an app instance uses it');
          throw e;
        }
        return { value: id, remember: { packageId: id } };
      },
      replay: (r) => Promise.resolve(String(r.packageId)),
    });
    // The file goes after the row's deletion committed: a crash in between leaves a file without a row, which
    // the sweep removes, never a row without its file.
    if (storageKey) await this.o.store.remove(storageKey);
    return deleted;
  }

  /** Loads one of the package's large JSON columns, which are not read with the row. */
  async lazyField(ctx: RequestContext, pkg: AppPackage, field: 'appd' | 'artifacts'): Promise<AppPackage['appd'] | AppPackage['artifacts']> {
    if (pkg.onboardingState !== OnboardingState.ONBOARDED) return null;
    // A fork: the row is read apart from the entity the response already holds, which stays as loaded.
    const row = await ctx.em.fork().findOne(AppPackage, { id: pkg.id }, { fields: ['id', field] });
    return row ? row[field] : null;
  }

  /** The stored file of an onboarded package the caller may read. */
  async contentFile(ctx: RequestContext, id: string): Promise<{ path: string; pkg: AppPackage }> {
    const pkg = await this.get(ctx, id);
    if (pkg.onboardingState !== OnboardingState.ONBOARDED || !pkg.storageKey) throw new DomainError(ErrorCode.CONFLICT, `package is ${pkg.onboardingState}; its content is not available`);
    return { path: this.o.store.pathOf(pkg.storageKey), pkg };
  }

  /**
   * Marks onboardings that stopped making progress (their server died) FAILED and removes their files, and
   * removes stale temp files. Runs at start and periodically; `staleMs` must exceed the progress interval.
   */
  async recoverInterrupted(em: EntityManager, staleMs: number): Promise<number> {
    const cutoff = new Date(Date.now() - staleMs);
    const stuck = await em.find(AppPackage, { onboardingState: { $in: IN_FLIGHT }, updatedAt: { $lt: cutoff } });
    for (const pkg of stuck) {
      if (pkg.storageKey) await this.o.store.remove(pkg.storageKey);
      pkg.onboardingState = OnboardingState.FAILED;
      pkg.failureReason = 'onboarding was interrupted (the server stopped); upload the package again';
      pkg.storageKey = null;
    }
    await em.flush();
    await this.o.store.sweepTemp(staleMs);
    return stuck.length;
  }

  /** Waits for background onboardings (graceful shutdown). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.background]);
  }

  // ---- internals ----

  private identity(ctx: RequestContext, ident: PackageIdentity) {
    requireWriter(ctx.principal);
    const tenantId = targetTenant(ctx.principal, ident.tenantId, false)!;
    return {
      tenantId,
      id: ident.packageId ? checkPackageId(ident.packageId) : newId(),
      appId: ident.appId ? checkAppId(ident.appId) : newId(),
      origin: ident.origin ? checkOrigin(ident.origin) : 'MEO',
    };
  }

  /** Inserts the row that makes an onboarding visible, under the tenant's package quota. */
  private async insertOnboarding(ctx: RequestContext, row: { id: string; appId: string; tenantId: string; origin: string; sourceUrl: string | null }, state: OnboardingState): Promise<boolean> {
    try {
      await ctx.em.fork().transactional(async (em) => {
        await em.getConnection().execute('select pg_advisory_xact_lock(hashtext(?))', [`app_package:${row.tenantId}`], 'get', em.getTransactionContext());
        const count = await em.count(AppPackage, { tenantId: row.tenantId });
        if (count >= this.o.maxPerTenant) throw new DomainError(ErrorCode.QUOTA_EXCEEDED, `at most ${this.o.maxPerTenant} packages per tenant`, { limit: this.o.maxPerTenant });
        em.create(AppPackage, { ...row, onboardingState: state });
      });
      return true;
    } catch (e) {
      if (isUniqueViolation(e)) return false; // a concurrent upload of the same id: compared after streaming
      throw e;
    }
  }

  private progressWriter(ctx: RequestContext, id: string): (bytes: number) => void {
    let last = Date.now();
    let pending: Promise<unknown> = Promise.resolve();
    return (bytes) => {
      const now = Date.now();
      if (now - last < PROGRESS_EVERY_MS) return;
      last = now;
      // One write at a time; progress is advisory, so a failed write is only logged.
      pending = pending
        .then(() => ctx.em.fork().nativeUpdate(AppPackage, { id, onboardingState: OnboardingState.UPLOADING }, { receivedBytes: bytes, updatedAt: new Date() }))
        .catch((e: unknown) => ctx.log.warn({ err: e, packageId: id }, 'could not record upload progress'));
    };
  }

  private async compareWithExisting(ctx: RequestContext, id: string, tenantId: string, sha256: string, temp: string): Promise<{ pkg: AppPackage; created: boolean }> {
    await this.o.store.removeTemp(temp);
    const row = await ctx.em.fork().findOne(AppPackage, { id });
    if (row && row.tenantId === tenantId && row.onboardingState === OnboardingState.ONBOARDED && row.sha256 === sha256) {
      return { pkg: await this.get(ctx, id), created: false };
    }
    if (row && row.tenantId === tenantId && IN_FLIGHT.includes(row.onboardingState)) {
      throw new DomainError(ErrorCode.CONFLICT, `package ${id} is being onboarded by another request; retry when it is done`, { field: 'packageId' });
    }
    throw new DomainError(ErrorCode.CONFLICT, `package id ${id} already holds different content`, { field: 'packageId' });
  }

  /** PROCESSING → parse → store the file → ONBOARDED. The storage key is recorded first so a crash leaves no orphan. */
  private async processAndStore(em: EntityManager, id: string, temp: string, received: Received): Promise<AppPackage> {
    const storageKey = this.o.store.newKey();
    const marked = await em.nativeUpdate(AppPackage, { id, onboardingState: OnboardingState.UPLOADING }, { onboardingState: OnboardingState.PROCESSING, storageKey, receivedBytes: received.sizeBytes, updatedAt: new Date() });
    if (marked !== 1) throw new DomainError(ErrorCode.CONFLICT, `package ${id} changed while it was uploading`);
    // The temp file is either moved into the store or removed, whatever happens.
    let content;
    try {
      content = await this.o.processor.process(temp, received.streamChecked);
      await this.o.store.commit(temp, storageKey);
    } catch (e) {
      await this.o.store.removeTemp(temp).catch(() => undefined);
      throw e;
    }
    const pkg = await em.findOneOrFail(AppPackage, { id });
    em.assign(pkg, {
      onboardingState: OnboardingState.ONBOARDED,
      name: content.name,
      packageVersion: content.version,
      provider: content.provider,
      description: content.description,
      type: content.type === 'VM' ? PackageType.VM : PackageType.CONTAINER,
      sizeBytes: received.sizeBytes,
      sha256: received.sha256,
      appd: content.appd,
      integrity: content.integrity,
      artifacts: content.artifacts,
      failureReason: null,
    });
    await em.flush();
    return pkg;
  }

  /** Removes every trace of a failed upload: its row, its stored or temp file. */
  private async forget(ctx: RequestContext, id: string): Promise<void> {
    const em = ctx.em.fork();
    const row = await em.findOne(AppPackage, { id });
    if (!row) return;
    if (row.storageKey) await this.o.store.remove(row.storageKey);
    await em.nativeDelete(AppPackage, { id, onboardingState: { $in: IN_FLIGHT } });
  }

  private async pull(ctx: RequestContext, id: string, url: string, checksum: string): Promise<void> {
    const em = ctx.em.fork();
    const temp = this.o.store.tempPath();
    try {
      await em.nativeUpdate(AppPackage, { id, onboardingState: OnboardingState.CREATED }, { onboardingState: OnboardingState.UPLOADING, updatedAt: new Date() });
      const received = await fetchToFile(url, temp, { ...this.o.fetch, maxBytes: this.o.maxBytes }, this.progressWriter(ctx, id));
      if (received.sha256 !== checksum) {
        // The catch below removes the temp file.
        throw new DomainError(ErrorCode.INVALID_PACKAGE, `checksum mismatch: the download has SHA-256 ${received.sha256}, expected ${checksum}`);
      }
      await this.processAndStore(em, id, temp, received);
    } catch (e) {
      await this.o.store.removeTemp(temp).catch(() => undefined);
      const row = await em.fork().findOne(AppPackage, { id });
      if (row?.storageKey) await this.o.store.remove(row.storageKey);
      const reason = e instanceof DomainError ? e.message : 'internal error while onboarding';
      if (!(e instanceof DomainError)) ctx.log.error({ err: e, packageId: id }, 'package pull failed');
      await em.fork().nativeUpdate(AppPackage, { id }, { onboardingState: OnboardingState.FAILED, failureReason: reason, storageKey: null, updatedAt: new Date() });
    }
  }

  private track(p: Promise<void>): void {
    this.background.add(p);
    void p.finally(() => this.background.delete(p));
  }
}

const inUse = (why: string) => new DomainError(ErrorCode.CONFLICT, `the package cannot be deleted: ${why}`, { reason: 'PACKAGE_IN_USE' });
