import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isWholeHourZone } from './time-zones.js';

describe('isWholeHourZone', () => {
  it('accepts UTC and whole-hour zones with and without DST', () => {
    for (const zone of ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Tokyo']) {
      assert.equal(isWholeHourZone(zone, 2026), true, zone);
    }
  });

  it('rejects zones with half- or quarter-hour offsets at any time of year', () => {
    for (const zone of ['Asia/Kolkata', 'Asia/Kathmandu', 'Australia/Lord_Howe']) {
      assert.equal(isWholeHourZone(zone, 2026), false, zone);
    }
  });
});
