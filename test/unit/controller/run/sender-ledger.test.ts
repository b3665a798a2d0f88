import { describe, expect, test } from '@jest/globals';
import { SenderLedger } from '../../../../src/controller/run/sender-ledger.js';

describe('SenderLedger', () => {
  const start = new Date('2026-01-01T00:00:00Z');
  const later = (minutes: number) => new Date(start.getTime() + minutes * 60_000);

  test('knows a sender once seen, and only that one', () => {
    const ledger = new SenderLedger(start);
    ledger.seen('rx-1', later(1));
    expect(ledger.senderSeen('rx-1')).toBe(true);
    expect(ledger.senderSeen('rx-2')).toBe(false);
  });

  test('forgets entries older than an hour when a new one is written', () => {
    const ledger = new SenderLedger(start);
    ledger.seen('rx-old', later(0));
    ledger.seen('rx-recent', later(30));
    ledger.seen('rx-new', later(61));
    expect([ledger.senderSeen('rx-old'), ledger.senderSeen('rx-recent'), ledger.senderSeen('rx-new')]).toEqual([
      false,
      true,
      true,
    ]);
  });

  test('seeing the same sender again keeps the first time, so it is forgotten on schedule', () => {
    const ledger = new SenderLedger(start);
    ledger.seen('rx-1', later(0));
    ledger.seen('rx-1', later(59));
    ledger.seen('rx-2', later(61));
    expect(ledger.senderSeen('rx-1')).toBe(false);
  });
});
