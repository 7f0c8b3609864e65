/**
 * Majorities, for the emulations whose safety rests on quorums (MultiPaxos's acceptors, Raft's
 * servers): how many make one, and the fault bound exploration keeps to.
 */
import type { NodeId } from '../../sim/trace.js';

/** A majority of `n`: any two share a member, which is what carries a chosen value over. */
export const majority = (n: number): number => Math.floor(n / 2) + 1;

/** Does a majority of `members` stay up while the nodes in `down` are down? (Quorum protocols
 *  promise nothing once a majority is down: exploration never takes more.) */
export function majorityStaysUp(members: readonly NodeId[], down: ReadonlySet<NodeId>): boolean {
  return members.filter((m) => down.has(m)).length <= members.length - majority(members.length);
}
