import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AlertWebhookPayload } from '@tally/contracts';
import { renderBody } from './webhook-body.js';

const payload: AlertWebhookPayload = {
  type: 'alert.firing',
  timestamp: '2026-11-25T10:00:00.000Z',
  data: {
    ruleId: 'r1',
    ruleName: 'checkout spike',
    projectId: 'acme',
    metric: 'count',
    eventType: 'click',
    dimension: 'buy',
    comparison: 'above',
    threshold: 100,
    windowSeconds: 300,
    value: 142,
  },
};

describe('webhook bodies', () => {
  it('standard: the payload contract as JSON', () => {
    assert.deepEqual(
      AlertWebhookPayload.parse(JSON.parse(renderBody('standard', payload))),
      payload,
    );
  });

  it('slack: a single text message naming the rule, value and threshold', () => {
    const body = JSON.parse(renderBody('slack', payload)) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body), ['text']);
    assert.match(
      String(body.text),
      /FIRING: checkout spike .*count of click "buy" over 5 min is 142 \(above 100\)/,
    );
    const resolved = JSON.parse(renderBody('slack', { ...payload, type: 'alert.resolved' })) as {
      text: string;
    };
    assert.match(resolved.text, /RESOLVED/);
  });
});
