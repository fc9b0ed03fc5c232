import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '@tally/testkit';
import { decimalToMicros, getSeries, postExpect202, type Accepted } from './client.js';
import {
  bucketStart,
  expectedSeries,
  observedSeries,
  prng,
  totalCount,
  totalRevenue,
  type CountedEvent,
  type Granularity,
  type SeriesMap,
} from './ledger.js';
import { assertExactTotals, loadOptions } from './exact-totals.js';
import { committedCount, Progress, sendLoad } from './load.js';
import {
  dumpProblems,
  log,
  problemLines,
  readIdleState,
  startStack,
  waitUntilAggregatorIdle,
  type Stack,
} from './stack.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const PARTITIONS = 4;

/*
 * gateway, ingest, aggregator (and the notifier when built) run as separate processes against a
 * private nats-server and a fresh Postgres database. Every test computes what must be counted
 * from what it sent and what the API accepted, waits until the rollups reach it, then waits
 * until the aggregator has committed the whole events stream and checks again: a late double
 * count cannot hide behind an early match.
 */
describe('Tally end to end: four processes, real NATS and Postgres', () => {
  let stack: Stack;

  before(async () => {
    stack = await startStack(PARTITIONS);
  });

  after(async () => {
    if (stack) {
      if (stack.notifier) {
        const ready = await fetch(stack.notifierReadyUrl ?? '', {
          signal: AbortSignal.timeout(2_000),
        })
          .then((r) => r.status)
          .catch((err: unknown) => String(err));
        log(
          `notifier ran alongside: /readyz now ${ready}, ${problemLines(stack.notifier, 1000).length} warn/error lines`,
        );
      }
      for (const note of stack.notes) log(`NOTE: ${note}`);
      await stack.stop();
    }
  });

  /** On failure, show what the apps complained about before rethrowing. */
  async function withDiagnostics(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (err) {
      dumpProblems(stack);
      throw err;
    }
  }

  it('counts a known set exactly once', { timeout: 120_000 }, () =>
    withDiagnostics(async () => {
      const started = Date.now();
      const seed = Number(process.env['E2E_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
      log(`test 1: seed ${seed} (E2E_SEED=${seed} reproduces the event set)`);
      const rand = prng(seed);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;

      // Fixed event-time window: all regular events in the previous full hour bucket, late ones
      // two and three buckets before it, each well inside its bucket.
      const H = bucketStart(Date.now(), 'hour');
      const mainHour = H - HOUR;
      const inHour = (start: number) => start + 60_000 + Math.floor(rand() * 58 * 60_000);
      const iso = (ms: number) => new Date(ms).toISOString();

      const users = Array.from({ length: 48 }, (_, i) => `t1-user-${String(i).padStart(2, '0')}`);
      const buyers = users.slice(0, 13);
      const amounts: Record<string, readonly string[]> = {
        EUR: ['9.99', '12.34', '0.5', '100', '0.01', '250.75', '0'],
        USD: ['19.99', '5', '0.1'],
        JPY: ['1200', '980'],
      };

      const ledger: CountedEvent[] = [];
      /** One valid event and what it must add; `n` keeps every event's content distinct. */
      const makeValid = (
        n: number,
        kind: number,
        timestamp: number,
      ): { raw: Record<string, unknown>; counted: CountedEvent } => {
        const userId = pick(users);
        const base = { userId, timestamp: iso(timestamp) };
        switch (kind) {
          case 0:
          case 1:
          case 2:
          case 3: {
            const element = pick(['signup-btn', 'nav-pricing', 'cta']);
            return {
              raw: { ...base, type: 'click', properties: { element, page: '/', n } },
              counted: { type: 'click', dimension: element, userId, timestamp },
            };
          }
          case 4: {
            const buyer = pick(buyers);
            const currency = pick(['EUR', 'EUR', 'EUR', 'USD', 'JPY']);
            const amount = pick(amounts[currency] as readonly string[]);
            return {
              raw: {
                ...base,
                userId: buyer,
                type: 'purchase',
                properties: { orderId: `o-${n}`, amount: Number(amount), currency, n },
              },
              counted: {
                type: 'purchase',
                dimension: '',
                userId: buyer,
                timestamp,
                revenue: { currency, micros: decimalToMicros(amount) },
              },
            };
          }
          case 5:
          case 6: {
            const path = pick(['/', '/pricing', '/docs']);
            return {
              raw: { ...base, type: 'page_view', properties: { path, n } },
              counted: { type: 'page_view', dimension: path, userId, timestamp },
            };
          }
          case 7: {
            const method = pick(['password', 'sso']);
            return {
              raw: { ...base, type: 'login', properties: { method, success: rand() < 0.8, n } },
              counted: { type: 'login', dimension: method, userId, timestamp },
            };
          }
          default: {
            const name = kind === 8 ? 't1-signup' : 't1-share';
            return {
              raw: { ...base, type: 'custom', name, properties: { n } },
              counted: { type: 'custom', dimension: name, userId, timestamp },
            };
          }
        }
      };

      // --- 2,000 regular events in 10 bodies of 200 ---
      const bodies: Array<{ events: Array<Record<string, unknown>>; sentAt?: string }> = [];
      for (let b = 0; b < 10; b++) {
        const events: Array<Record<string, unknown>> = [];
        for (let i = 0; i < 200; i++) {
          const n = b * 200 + i;
          const { raw, counted } = makeValid(n, n % 10, inHour(mainHour));
          // body 6 carries client ids; all others rely on ids that ingest derives from content
          // (it does so only when a timestamp or sentAt pins the event down; all of ours have one)
          events.push(b === 6 ? { id: randomUUID(), ...raw } : raw);
          ledger.push(counted);
        }
        bodies.push(b % 2 === 1 ? { events, sentAt: new Date().toISOString() } : { events });
      }
      const post = (body: unknown) => postExpect202(stack.gatewayUrl, stack.writeKey, body);
      for (let b = 0; b < bodies.length; b++) {
        if (b === 3) {
          // The same bytes twice at once (a client retry racing its original): ids are derived.
          const [first, second] = await Promise.all([post(bodies[3]), post(bodies[3])]);
          assert.deepEqual(first, { accepted: 200, rejected: [] });
          assert.deepEqual(second, { accepted: 200, rejected: [] });
          continue;
        }
        assert.deepEqual(await post(bodies[b]), { accepted: 200, rejected: [] }, `body ${b}`);
      }
      // Body 6 again, later, with a fresh sentAt (a client that rebuilt the envelope): explicit ids.
      assert.deepEqual(await post({ ...bodies[6], sentAt: new Date().toISOString() }), {
        accepted: 200,
        rejected: [],
      });
      // Body 3 once more, sequentially.
      assert.deepEqual(await post(bodies[3]), { accepted: 200, rejected: [] });
      log('test 1: 2,000 regular events sent (body 3 three times, body 6 twice)');

      // --- invalid events mixed with valid ones ---
      const now = Date.now();
      const okClick = makeValid(90_000, 0, inHour(mainHour));
      const okLogin = makeValid(90_001, 7, inHour(mainHour));
      const okPurchase = makeValid(90_002, 4, inHour(mainHour));
      const okCustom = makeValid(90_003, 8, inHour(mainHour));
      const mixed = [
        okClick.raw, // 0
        { type: 'teleport', userId: 't1-user-00', properties: {} }, // 1
        { type: 'purchase', userId: 't1-user-00', properties: { orderId: 'x', currency: 'EUR' } }, // 2
        okLogin.raw, // 3
        { type: 'click', userId: 't1-user-01', timestamp: iso(now - 30 * DAY), properties: {} }, // 4
        {
          type: 'page_view',
          userId: 't1-user-01',
          timestamp: iso(now + DAY),
          properties: { path: '/' },
        }, // 5
        { type: 'custom', userId: 't1-user-02', properties: {} }, // 6
        { type: 'login', userId: 't1-user-02', properties: { method: 'password' } }, // 7
        okPurchase.raw, // 8
        { type: 'click', properties: { element: 'x' } }, // 9
        {
          type: 'purchase',
          userId: 't1-user-03',
          properties: { orderId: 'y', amount: -5, currency: 'EUR' },
        }, // 10
        okCustom.raw, // 11
      ];
      const mixedAnswer: Accepted = await post({ events: mixed });
      const rejectedShape = mixedAnswer.rejected.map((r) => ({
        index: r.index,
        errors: r.errors.map((e) => ({ path: e.path, code: e.code })),
      }));
      assert.deepEqual(rejectedShape, [
        { index: 1, errors: [{ path: 'type', code: 'invalid_union' }] },
        { index: 2, errors: [{ path: 'properties.amount', code: 'invalid_type' }] },
        { index: 4, errors: [{ path: 'timestamp', code: 'timestamp_too_old' }] },
        { index: 5, errors: [{ path: 'timestamp', code: 'timestamp_in_future' }] },
        { index: 6, errors: [{ path: 'name', code: 'invalid_type' }] },
        { index: 7, errors: [{ path: 'properties.success', code: 'invalid_type' }] },
        { index: 9, errors: [{ path: 'userId', code: 'invalid_type' }] },
        { index: 10, errors: [{ path: 'properties.amount', code: 'too_small' }] },
      ]);
      for (const r of mixedAnswer.rejected) {
        for (const e of r.errors) {
          assert.ok(e.message.length > 0, `rejection ${r.index} has a message`);
        }
      }
      assert.equal(mixedAnswer.accepted, 4);
      ledger.push(okClick.counted, okLogin.counted, okPurchase.counted, okCustom.counted);
      log('test 1: mixed body answered 202 with exactly indexes 1,2,4,5,6,7,9,10 rejected');

      // --- late events, out of order: 2 and 3 hour buckets before the regular ones ---
      const late: Array<Record<string, unknown>> = [];
      const addLate = (
        count: number,
        kind: 'custom' | 'page_view' | 'purchase',
        hourStart: number,
      ) => {
        for (let i = 0; i < count; i++) {
          const n = 100_000 + late.length;
          const { raw, counted } = makeValid(
            n,
            kind === 'custom' ? 8 : kind === 'page_view' ? 5 : 4,
            inHour(hourStart),
          );
          if (kind === 'custom') {
            raw['name'] = 't1-late';
            counted.dimension = 't1-late';
          }
          late.push(raw);
          ledger.push(counted);
        }
      };
      addLate(37, 'custom', H - 3 * HOUR);
      addLate(23, 'custom', H - 2 * HOUR);
      addLate(6, 'page_view', H - 3 * HOUR);
      addLate(11, 'page_view', H - 2 * HOUR);
      addLate(5, 'purchase', H - 3 * HOUR);
      for (let i = late.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [late[i], late[j]] = [
          late[j] as Record<string, unknown>,
          late[i] as Record<string, unknown>,
        ];
      }
      assert.deepEqual(await post({ events: late }), { accepted: late.length, rejected: [] });
      log(
        `test 1: ${late.length} late events sent; ${ledger.length} events must be counted in all`,
      );

      // --- what the API must answer ---
      const hourRange = { from: iso(H - 5 * HOUR), to: iso(H + 2 * HOUR) };
      const dayStart = bucketStart(Date.now(), 'day');
      const dayRange = { from: iso(dayStart - 8 * DAY), to: iso(dayStart + 2 * DAY) };
      interface Query {
        label: string;
        params: Record<string, string>;
        granularity: Granularity;
        byDimension?: boolean;
        filter: (e: CountedEvent) => boolean;
      }
      const queries: Query[] = [];
      const byType = (type: string, name?: string) => (e: CountedEvent) =>
        e.type === type && (name === undefined || e.dimension === name);
      for (const granularity of ['hour', 'day'] as const) {
        const range = granularity === 'hour' ? hourRange : dayRange;
        for (const type of ['click', 'purchase', 'login', 'page_view']) {
          queries.push({
            label: `${type}/${granularity}`,
            params: { type, ...range },
            granularity,
            filter: byType(type),
          });
        }
        for (const name of ['t1-signup', 't1-share', 't1-late']) {
          queries.push({
            label: `custom:${name}/${granularity}`,
            params: { type: 'custom', name, ...range },
            granularity,
            filter: byType('custom', name),
          });
        }
        queries.push({
          label: `all types/${granularity}`,
          params: { ...range },
          granularity,
          filter: () => true,
        });
      }
      queries.push({
        label: 'click by dimension/hour',
        params: { type: 'click', groupBy: 'dimension', ...hourRange },
        granularity: 'hour',
        byDimension: true,
        filter: byType('click'),
      });
      queries.push({
        label: 'login by dimension/day',
        params: { type: 'login', groupBy: 'dimension', ...dayRange },
        granularity: 'day',
        byDimension: true,
        filter: byType('login'),
      });

      const expected: Record<string, SeriesMap> = {};
      for (const q of queries) {
        expected[q.label] = expectedSeries(ledger.filter(q.filter), q.granularity, {
          byDimension: q.byDimension ?? false,
        });
      }
      // Sanity of the expectation itself (so a generator bug cannot make the test vacuous).
      const lateHours = expected['custom:t1-late/hour'] as SeriesMap;
      assert.deepEqual(
        Object.fromEntries(Object.entries(lateHours).map(([b, s]) => [b, s.count])),
        { [iso(H - 3 * HOUR)]: 37, [iso(H - 2 * HOUR)]: 23 },
      );
      assert.equal(totalCount(expected['all types/day'] as SeriesMap), 2_000 + 4 + 82);

      const readAll = async (): Promise<Record<string, SeriesMap>> => {
        const entries = await Promise.all(
          queries.map(async (q) => {
            const points = await getSeries(stack.gatewayUrl, stack.readKey, {
              granularity: q.granularity,
              ...q.params,
            });
            return [
              q.label,
              observedSeries(points, { byDimension: q.byDimension ?? false }),
            ] as const;
          }),
        );
        return Object.fromEntries(entries);
      };
      const reached = (observed: Record<string, SeriesMap>) =>
        queries.every(
          (q) => totalCount(observed[q.label] ?? {}) >= totalCount(expected[q.label] ?? {}),
        );

      const waitStarted = Date.now();
      const observed = await waitFor(
        async () => {
          const o = await readAll();
          return reached(o) ? o : false;
        },
        { timeoutMs: 30_000, intervalMs: 200, what: 'test 1 totals' },
      ).catch(async (err: unknown) => {
        log(`test 1: ${err instanceof Error ? err.message : String(err)}`);
        return readAll(); // assert below shows the difference
      });
      assert.deepStrictEqual(observed, expected);
      log(`test 1: totals exact after ${Date.now() - waitStarted} ms of polling`);

      const idle = await waitUntilAggregatorIdle(stack);
      log(
        `test 1: aggregator idle: offsets ${idle.offsets.join(',')} = stream last seqs ${idle.lastSeqs.join(',')}, stream last_seq ${idle.streamLastSeq}`,
      );
      assert.equal(idle.deadLetters, 0, 'nothing was dead-lettered');

      const finalRead = await readAll();
      assert.deepStrictEqual(finalRead, expected, 'still exact once the aggregator is idle');
      const mainUsers = new Set(
        ledger.filter((e) => bucketStart(e.timestamp, 'hour') === mainHour).map((e) => e.userId),
      ).size;
      const observedMain = finalRead['all types/hour']?.[iso(mainHour)];
      assert.equal(
        observedMain?.uniqueUsers,
        mainUsers,
        'unique users of the main hour, all types',
      );
      log(
        `test 1: ${totalCount(finalRead['all types/day'] ?? {})} events, revenue ` +
          `${JSON.stringify(totalRevenue(finalRead['purchase/day'] ?? {}))} micros, ${mainUsers} unique users ` +
          `in the main hour; done in ${Date.now() - started} ms`,
      );
    }),
  );

  it('stays exact when the aggregator is SIGKILLed mid-stream', { timeout: 120_000 }, () =>
    withDiagnostics(async () => {
      const started = Date.now();
      const opts = loadOptions('agg-kill');
      const stored = new Progress();
      const failed = new Progress();
      const seqBefore = (await readIdleState(stack)).streamLastSeq;
      log(`test 2: sending ${opts.bodies * opts.batchSize} events from ${opts.senders} senders`);
      // The last 60 bodies wait for the restart, so the restarted aggregator sees live traffic
      // on top of the backlog it has to resume.
      let restarted: () => void = () => undefined;
      const open = new Promise<void>((resolve) => (restarted = resolve));
      const load = sendLoad(stack, opts, { stored, failed }, { from: 140, open });
      load.catch(() => undefined); // awaited below; raced meanwhile

      await Promise.race([stored.atLeast(40), load]);
      const committedBefore = await committedCount(stack, opts.name);
      const exit = await stack.aggregator.kill('SIGKILL');
      const killedAt = stored.value;
      log(
        `test 2: aggregator SIGKILLed (exit ${String(exit)}) after ${killedAt} 202s ` +
          `(${killedAt * opts.batchSize} events), ${committedBefore} committed`,
      );
      assert.equal(exit, null, 'the aggregator died by the signal');

      await Promise.race([stored.atLeast(killedAt + 60), load]);
      const restartAt = stored.value;
      await stack.aggregator.restart();
      log(
        `test 2: aggregator restarted (pid ${stack.aggregator.pid}) after ${restartAt - killedAt} more 202s; ` +
          `${await committedCount(stack, opts.name)} events committed, ${stored.value} bodies stored so far`,
      );
      restarted();

      const result = await load;
      log(
        `test 2: ${result.accepted} events accepted in ${result.elapsedMs} ms; retries ${JSON.stringify([...result.failures])}`,
      );
      assert.ok(killedAt < opts.bodies, 'the kill happened while sending');
      assert.equal(result.failures.size, 0, 'killing the aggregator never made ingestion fail');
      assert.equal(result.accepted, opts.bodies * opts.batchSize);

      await assertExactTotals(stack, 'test 2', opts.name, result, opts.distinctUsers, seqBefore);
      log(`test 2: done in ${Date.now() - started} ms`);
    }),
  );

  it('stays exact when ingest is SIGKILLed and clients retry', { timeout: 120_000 }, () =>
    withDiagnostics(async () => {
      const started = Date.now();
      const opts = loadOptions('ingest-kill');
      const stored = new Progress();
      const failed = new Progress();
      const seqBefore = (await readIdleState(stack)).streamLastSeq;
      log(
        `test 3: sending ${opts.bodies * opts.batchSize} events from ${opts.senders} retrying senders`,
      );
      const load = sendLoad(stack, opts, { stored, failed });
      load.catch(() => undefined);

      await Promise.race([stored.atLeast(40), load]);
      const exit = await stack.ingest.kill('SIGKILL');
      const killedAt = stored.value;
      log(`test 3: ingest SIGKILLed (exit ${String(exit)}) after ${killedAt} 202s`);
      assert.equal(exit, null, 'ingest died by the signal');

      // Down long enough that every sender has met the outage.
      await Promise.race([failed.atLeast(8), load]);
      const downFailures = failed.value;
      await stack.ingest.restart();
      log(
        `test 3: ingest restarted (pid ${stack.ingest.pid}) after ${downFailures} failed attempts`,
      );

      const result = await load;
      log(
        `test 3: ${result.accepted} events accepted in ${result.elapsedMs} ms; failed attempts ${JSON.stringify([...result.failures])} taking ${JSON.stringify(result.failureLatencyMs)} ms`,
      );
      assert.ok(killedAt < opts.bodies, 'the kill happened while sending');
      assert.ok(failed.value >= 8, 'clients saw the outage and retried');
      assert.equal(result.accepted, opts.bodies * opts.batchSize);

      await assertExactTotals(stack, 'test 3', opts.name, result, opts.distinctUsers, seqBefore);
      log(`test 3: done in ${Date.now() - started} ms`);
    }),
  );
  it('stays exact when NATS is SIGKILLed and restarted mid-stream', { timeout: 120_000 }, () =>
    withDiagnostics(async () => {
      const started = Date.now();
      const opts = loadOptions('nats-kill');
      const stored = new Progress();
      const failed = new Progress();
      const seqBefore = (await readIdleState(stack)).streamLastSeq;
      log(`test 4: sending ${opts.bodies * opts.batchSize} events, NATS will be SIGKILLed`);
      const load = sendLoad(stack, opts, { stored, failed });
      load.catch(() => undefined);

      await Promise.race([stored.atLeast(40), load]);
      await stack.nats.kill();
      const killedAt = stored.value;
      log(`test 4: nats-server SIGKILLed after ${killedAt} 202s`);

      await Promise.race([failed.atLeast(8), load]);
      await stack.nats.restart();
      log(`test 4: nats-server restarted after ${failed.value} failed attempts`);

      const result = await load;
      log(
        `test 4: ${result.accepted} events accepted in ${result.elapsedMs} ms; failed attempts ${JSON.stringify([...result.failures])}`,
      );
      assert.ok(killedAt < opts.bodies, 'the kill happened while sending');
      assert.ok(failed.value >= 8, 'clients saw the outage and retried');
      assert.equal(result.accepted, opts.bodies * opts.batchSize);

      await assertExactTotals(stack, 'test 4', opts.name, result, opts.distinctUsers, seqBefore);
      log(`test 4: done in ${Date.now() - started} ms`);
    }),
  );
});
