import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { STREAMS } from '@tally/contracts';
import { assertExactTotals, loadOptions } from './exact-totals.js';
import { Progress, sendLoad } from './load.js';
import { dumpProblems, log, readIdleState, startStack, type Stack } from './stack.js';

/*
 * The same pipeline on a 3-node JetStream cluster (streams with 3 replicas). The node leading
 * the events stream is SIGKILLed mid-stream and later restarted: clients retry what was not
 * acknowledged, and the totals stay exact.
 */
describe('Tally end to end on a 3-node NATS cluster', () => {
  let stack: Stack;

  before(async () => {
    stack = await startStack(4, { natsNodes: 3 });
  });

  after(async () => {
    await stack?.stop();
  });

  it('stays exact when the events stream leader is SIGKILLed', { timeout: 180_000 }, async () => {
    try {
      const opts = loadOptions('node-loss');
      const stored = new Progress();
      const failed = new Progress();
      const seqBefore = (await readIdleState(stack)).streamLastSeq;
      const load = sendLoad(stack, opts, { stored, failed });
      load.catch(() => undefined);

      await Promise.race([stored.atLeast(40), load]);
      const info = await stack.jsm.streams.info(STREAMS.events.name);
      const leaderName = info.cluster?.leader;
      const leader = stack.natsNodes.find((node) => node.serverName === leaderName);
      assert.ok(leader, `leader ${String(leaderName)} is one of our nodes`);
      await leader.kill();
      const killedAt = stored.value;
      log(`cluster: stream leader ${String(leaderName)} SIGKILLed after ${killedAt} 202s`);

      await Promise.race([stored.atLeast(killedAt + 40), load]);
      await leader.restart();
      log(`cluster: ${String(leaderName)} restarted after ${stored.value} 202s`);

      const result = await load;
      log(
        `cluster: ${result.accepted} events accepted in ${result.elapsedMs} ms; failed attempts ${JSON.stringify([...result.failures])}`,
      );
      assert.ok(killedAt < opts.bodies, 'the kill happened while sending');
      assert.equal(result.accepted, opts.bodies * opts.batchSize);
      await assertExactTotals(stack, 'cluster', opts.name, result, opts.distinctUsers, seqBefore);
    } catch (err) {
      dumpProblems(stack);
      throw err;
    }
  });
});
