import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runNodeScript } from '@tally/testkit';
import { bodyFactory, singleEventFactory } from './bodies.js';
import { parseOptions } from './options.js';
import { summariseProfile } from './profile-summary.js';
import { ROW_LABELS, type BenchResults } from './report.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('bodies', () => {
  const spec = { name: 'bench_x', batchSize: 100, users: 1000, runHex: 'a1b2c3d4', phaseHex: '2' };

  test('are valid JSON batches with UUID ids that never repeat across requests', () => {
    const body = bodyFactory(spec);
    const ids = new Set<string>();
    for (const request of [0, 1, 4095, 4096, 2 ** 24, 2 ** 30 + 7]) {
      const parsed = JSON.parse(body(request)) as {
        events: Array<{ id: string; type: string; name: string; userId: string }>;
      };
      assert.equal(parsed.events.length, 100);
      for (const event of parsed.events) {
        assert.match(event.id, UUID);
        assert.equal(event.type, 'custom');
        assert.equal(event.name, 'bench_x');
        ids.add(event.id);
      }
    }
    assert.equal(ids.size, 600);
  });

  test('single events for the baseline are distinct too', () => {
    const one = singleEventFactory(spec);
    const a = JSON.parse(one(1)) as { id: string };
    const b = JSON.parse(one(2)) as { id: string };
    assert.match(a.id, UUID);
    assert.notEqual(a.id, b.id);
  });
});

describe('options', () => {
  test('--smoke picks tiny defaults; explicit flags win wherever they stand', () => {
    const o = parseOptions(['--clients=5', '--smoke']);
    assert.equal(o.smoke, true);
    assert.equal(o.clients, 5);
    assert.equal(o.durationS, 3);
    assert.equal(parseOptions([]).durationS, 60);
    assert.equal(parseOptions(['--cpu-prof=gateway']).cpuProf, 'gateway');
    assert.throws(() => parseOptions(['--clients=0']), /--clients/);
    assert.throws(() => parseOptions(['--cpu-prof=nats']), /unknown or incomplete/);
  });
});

describe('profile summary', () => {
  test('ranks self time by frame and by module, leaving idle out of the shares', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tally-bench-prof-'));
    const file = join(dir, 'x.cpuprofile');
    const frame = (id: number, functionName: string, url: string, hitCount: number) => ({
      id,
      callFrame: { functionName, url, lineNumber: 9 },
      hitCount,
    });
    await writeFile(
      file,
      JSON.stringify({
        nodes: [
          frame(1, '(root)', '', 0),
          frame(2, '(idle)', '', 50),
          frame(3, 'parse', 'file:///r/node_modules/.pnpm/x/node_modules/fastify/lib/a.js', 30),
          frame(4, 'track', 'file:///r/apps/gateway/dist/events/events.controller.js', 15),
          frame(5, '(garbage collector)', '', 5),
        ],
      }),
    );
    try {
      const summary = summariseProfile(file);
      assert.equal(summary.samples, 100);
      assert.equal(summary.busyShare, 0.5);
      assert.deepEqual(
        summary.topModules.map((m) => [m.module, m.share]),
        [
          ['fastify', 0.6],
          ['apps/gateway', 0.3],
          ['(garbage collector)', 0.1],
        ],
      );
      assert.equal(summary.topFrames[0]?.frame, 'parse fastify/lib/a.js:10');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('pnpm bench --smoke (private stack, tiny load)', () => {
  test(
    'verifies no loss and no double count and prints every row',
    { timeout: 240_000 },
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'tally-bench-smoke-'));
      const jsonFile = join(dir, 'results.json');
      const cli = fileURLToPath(new URL('./cli.js', import.meta.url));
      try {
        const { code, stdout, stderr } = await runNodeScript(cli, [
          '--smoke',
          `--json=${jsonFile}`,
        ]);
        assert.equal(code, 0, `bench exited with ${code}\n${stderr.slice(-4000)}\n${stdout}`);
        for (const label of ROW_LABELS) {
          assert.ok(
            stdout.includes(`| ${label} `),
            `the table lacks the row "${label}"\n${stdout}`,
          );
        }
        const results = JSON.parse(await readFile(jsonFile, 'utf8')) as BenchResults;
        assert.equal(results.verification.ok, true);
        assert.ok(results.verification.expected > 0);
        assert.equal(results.verification.counted.minute, results.verification.expected);
        assert.equal(results.verification.counted.day, results.verification.expected);
        assert.ok(results.peak.freshness.probes > 0, 'no freshness probe completed');
        assert.ok(results.baseline && results.baseline.stored === results.baseline.accepted);
        assert.equal(results.query?.buckets, 720);
        const db = results.query.dbTime;
        assert.ok('p50' in db, `no database time from the aggregator: ${JSON.stringify(db)}`);
        assert.ok(db.queries >= results.query.queries && db.p50 <= db.p99 && db.p50 > 0);
        assert.match(stdout, /; database time \(transaction\) p50 \/ p99 .+ \(bucket upper bounds/);
        const processes = results.cpu.map((c) => c.process);
        for (const name of ['gateway', 'ingest', 'aggregator', 'notifier', 'nats-server']) {
          assert.ok(processes.includes(name), `no CPU row for ${name}`);
          assert.ok(
            (results.cpu.find((c) => c.process === name)?.peakRssMiB ?? 0) > 0,
            `no peak RSS for ${name}`,
          );
        }
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});
