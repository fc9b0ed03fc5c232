import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isStorableText } from '@tally/contracts';
import { EXCERPT_CHARS, rejectedExcerpt } from './stored-batches.js';

describe('rejectedExcerpt', () => {
  it('keeps a short event whole, as JSON', () => {
    const raw = { type: 'click', userId: 'nul\u0000user' };
    assert.equal(rejectedExcerpt(raw), JSON.stringify(raw));
    assert.equal(rejectedExcerpt(undefined), 'null');
  });

  it('truncates a long event without splitting a surrogate pair', () => {
    for (const pad of ['', 'x']) {
      const raw = { name: `${pad}${'\u{1F600}'.repeat(EXCERPT_CHARS)}` };
      const excerpt = rejectedExcerpt(raw);
      assert.ok(excerpt.length <= EXCERPT_CHARS && excerpt.length >= EXCERPT_CHARS - 1);
      assert.ok(isStorableText(excerpt), `no lone surrogate at the cut (pad '${pad}')`);
    }
  });
});
