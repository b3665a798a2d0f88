// Which receivers' senders this operator has seen in its cache: what tells a sender not created yet
// (the operator's queue is long when a pool of hundreds of nodes starts at once) from one deleted
// mid-trial, which the cluster alone does not say. In memory, as controller-runtime's expectations:
// an operator that restarts knows nothing, and says so by the time it started watching.

/** Long past any trial's end: an entry older than this is of an attempt long decided. */
const LEDGER_MEMORY_MS = 60 * 60_000;

export class SenderLedger {
  private readonly seenAt = new Map<string, number>();

  constructor(readonly watchingSince: Date) {}

  /** Its cache shows the receiver's sender: from now on, a missing one was deleted. */
  seen(receiverUid: string, at: Date): void {
    if (this.seenAt.has(receiverUid)) return;
    // Pruned as entries arrive, so the read on every reconcile of a running trial stays a lookup.
    for (const [uid, when] of this.seenAt) if (at.getTime() - when > LEDGER_MEMORY_MS) this.seenAt.delete(uid);
    this.seenAt.set(receiverUid, at.getTime());
  }

  senderSeen(receiverUid: string): boolean {
    return this.seenAt.has(receiverUid);
  }
}
