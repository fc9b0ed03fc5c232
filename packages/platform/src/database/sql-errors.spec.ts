import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isTransientDatabaseError, sqlState } from './sql-errors.js';

describe('sql errors', () => {
  it('finds the SQLSTATE however deeply the driver adapter wrapped it', () => {
    const wrapped = new Error('raw query failed', { cause: { originalCode: '22003' } });
    assert.equal(sqlState(wrapped), '22003');
    assert.equal(sqlState({ meta: { code: '40P01' } }), '40P01');
    assert.equal(sqlState(new Error('ECONNREFUSED')), undefined);
  });

  it('treats data, integrity and program-limit errors as permanent, the rest as transient', () => {
    assert.equal(isTransientDatabaseError({ code: '22P02' }), false);
    assert.equal(isTransientDatabaseError({ code: '22021' }), false);
    assert.equal(isTransientDatabaseError({ code: '23505' }), false);
    assert.equal(isTransientDatabaseError({ code: '54000' }), false);
    assert.equal(isTransientDatabaseError({ code: '40P01' }), true);
    assert.equal(isTransientDatabaseError({ code: '40001' }), true);
    assert.equal(isTransientDatabaseError({ code: '57P01' }), true);
    assert.equal(isTransientDatabaseError(new Error('connection terminated')), true);
  });
});
