import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RollupDelta } from '@tally/contracts';
import { deltaFrame, LiveFanOut, type LiveSink } from './live-fan-out.js';
import type { StreamCloseReason } from './live-metrics.js';

const delta = (projectId: string): RollupDelta => ({
  projectId,
  partition: 1,
  seq: 9,
  rows: [{ type: 'click', dimension: 'buy', bucket: 0, count: 3, revenueMicros: {} }],
});

class RecordingSink implements LiveSink {
  frames: Buffer[] = [];
  closedFor?: StreamCloseReason;
  send(frame: Buffer): void {
    this.frames.push(frame);
  }
  close(reason: StreamCloseReason): void {
    this.closedFor = reason;
  }
}

/** A fan-out over a hand-driven feed: `publish` is what NATS would deliver to a project. */
function fanOutWithFeed() {
  const feeds = new Map<string, { deliver: (p: string) => void; failed: () => void }>();
  const stopped: string[] = [];
  const fanOut = new LiveFanOut((projectId, deliver, failed) => {
    feeds.set(projectId, { deliver, failed });
    return () => {
      feeds.delete(projectId);
      stopped.push(projectId);
    };
  });
  const publish = (projectId: string, payload: string) => feeds.get(projectId)?.deliver(payload);
  return { fanOut, feeds, stopped, publish };
}

describe('LiveFanOut', () => {
  it('frames a delta once and hands the very same bytes to every stream of its project', () => {
    const { fanOut, feeds, publish } = fanOutWithFeed();
    const p1 = [new RecordingSink(), new RecordingSink(), new RecordingSink()];
    const p2 = new RecordingSink();
    for (const sink of p1) fanOut.add('p1', sink);
    fanOut.add('p2', p2);
    assert.deepEqual([...feeds.keys()], ['p1', 'p2']);

    publish('p1', JSON.stringify(delta('p1')));

    const [first] = p1[0]?.frames ?? [];
    assert.ok(first);
    assert.equal(first.toString(), `event: delta\ndata: ${JSON.stringify(delta('p1'))}\n\n`);
    for (const sink of p1) {
      assert.equal(sink.frames.length, 1);
      assert.equal(sink.frames[0], first, 'one serialisation shared by all streams');
    }
    assert.deepEqual(p2.frames, []);
  });

  it('drops what is not a delta, for every stream alike', () => {
    const { fanOut, publish } = fanOutWithFeed();
    const sink = new RecordingSink();
    fanOut.add('p1', sink);
    publish('p1', 'not json');
    publish('p1', JSON.stringify({ projectId: 'p1' }));
    assert.deepEqual(sink.frames, []);
    assert.equal(deltaFrame(JSON.stringify({ ...delta('p1'), seq: -1 })), undefined);
  });

  it('follows a project while it has streams and stops with the last one', () => {
    const { fanOut, feeds, stopped } = fanOutWithFeed();
    const a = new RecordingSink();
    const b = new RecordingSink();
    fanOut.add('p1', a);
    fanOut.add('p1', b);
    fanOut.remove('p1', a);
    assert.deepEqual(stopped, []);
    fanOut.remove('p1', a);
    assert.deepEqual(stopped, []);
    fanOut.remove('p1', b);
    assert.deepEqual(stopped, ['p1']);
    assert.equal(feeds.size, 0);
  });

  it("closes a project's streams when its feed fails", () => {
    const { fanOut, feeds } = fanOutWithFeed();
    const a = new RecordingSink();
    const other = new RecordingSink();
    fanOut.add('p1', a);
    fanOut.add('p2', other);
    feeds.get('p1')?.failed();
    assert.equal(a.closedFor, 'subscription_failed');
    assert.equal(other.closedFor, undefined);
  });
});
