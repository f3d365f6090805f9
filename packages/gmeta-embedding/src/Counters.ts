import type { TableRoute } from "./routing.js";
import type { ResolvedTable } from "./TableConfig.js";

/** Traffic of one kind of call (lookups, updates or pushes) at one rank, since the last reset. */
export interface TrafficCounters {
  /** lookup(), applyGradients() or push() calls. */
  calls: number;
  /** AlltoAllV exchanges (a world of one makes its gradient and push exchanges in place, with no collective call). */
  allToAllCalls: number;
  /** Ids given to lookups (before dedup); for updates and pushes, rows given. */
  ids: number;
  /** Rows this rank asked owners for (after dedup), its own rows included. */
  requestedRows: number;
  /** Of those, rows owned by other ranks. */
  remoteRows: number;
  /** Rows other ranks would have been asked for without dedup. */
  remoteRowsWithoutDedup: number;
  /** Bytes this rank's requests put on the wire to and from other ranks (ids + rows, or rows). */
  requestBytes: number;
  /** The same without dedup. */
  requestBytesWithoutDedup: number;
  /** Bytes this rank handed to AlltoAllV for other ranks (requests and replies, headers included). */
  bytesSent: number;
  /** Bytes this rank received from other ranks. */
  bytesReceived: number;
}

/** Counters of a collection: lookups, gradient updates and the naive baseline's pushes apart. */
export interface CollectionCounters {
  lookup: TrafficCounters;
  update: TrafficCounters;
  push: TrafficCounters;
}

/** All-zero counters. */
export function zeroTraffic(): TrafficCounters {
  return {
    calls: 0, allToAllCalls: 0, ids: 0, requestedRows: 0, remoteRows: 0, remoteRowsWithoutDedup: 0,
    requestBytes: 0, requestBytesWithoutDedup: 0, bytesSent: 0, bytesReceived: 0,
  };
}

/** All-zero counters of every kind. */
export function zeroCounters(): CollectionCounters {
  return { lookup: zeroTraffic(), update: zeroTraffic(), push: zeroTraffic() };
}

/**
 * Counts one call's routed rows: `idWords` is how many 4-byte words an id adds to a row on
 * the wire (1 for a lookup's request, 0 for rows sent home), `perId` whether `ids` counts
 * the ids given (a lookup) or the unique rows sent (updates, pushes).
 */
export function countRoutes(
  c: TrafficCounters, routes: readonly (TableRoute | undefined)[], tables: readonly ResolvedTable[], rank: number, idWords: number, perId: boolean,
): void {
  c.calls += 1;
  routes.forEach((r, i) => {
    if (!r) return;
    const wire = 4 * (idWords + tables[i]!.dim);
    const remote = r.unique.length - (r.destStart[rank + 1]! - r.destStart[rank]!);
    c.ids += perId ? r.n : r.unique.length;
    c.requestedRows += r.unique.length;
    c.remoteRows += remote;
    c.remoteRowsWithoutDedup += r.remoteWithoutDedup;
    c.requestBytes += remote * wire;
    c.requestBytesWithoutDedup += r.remoteWithoutDedup * wire;
  });
}
