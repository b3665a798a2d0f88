// Which receivers this operator has given a sender, and which of those senders it has seen in its
// cache: what tells a sender not created yet (the operator's queue is long when a pool of hundreds
// of nodes starts at once) from one deleted mid-trial, which the cluster alone does not say. In
// memory, as controller-runtime's expectations: an operator that restarts knows nothing, and says
// so by the time it started watching.

/** Long past any trial's end: an entry older than this is of an attempt long decided. */
const LEDGER_MEMORY_MS = 60 * 60_000;

export type SenderKnown = 'created' | 'seen';

export class SenderLedger {
  private readonly entries = new Map<string, { at: number; known: SenderKnown }>();

  constructor(readonly watchingSince: Date) {}

  /** This operator created (or found) the sender of the receiver with this UID. */
  created(receiverUid: string, at: Date): void {
    if (!this.entries.has(receiverUid)) this.entries.set(receiverUid, { at: at.getTime(), known: 'created' });
  }

  /** Its cache shows the receiver's sender: from now on, a missing one was deleted. */
  seen(receiverUid: string, at: Date): void {
    this.entries.set(receiverUid, { at: this.entries.get(receiverUid)?.at ?? at.getTime(), known: 'seen' });
  }

  known(receiverUid: string, now: Date): SenderKnown | undefined {
    for (const [uid, entry] of this.entries) if (now.getTime() - entry.at > LEDGER_MEMORY_MS) this.entries.delete(uid);
    return this.entries.get(receiverUid)?.known;
  }
}
