/** Traffic of one kind of call (lookups or updates) at one rank, since the last reset. */
export interface TrafficCounters {
  /** lookup() or applyGradients() calls. */
  calls: number;
  /** AlltoAllV calls made. */
  allToAllCalls: number;
  /** Ids given to lookups (before dedup); for updates, gradient rows given. */
  ids: number;
  /** Rows this rank asked owners for (after dedup), its own rows included. */
  requestedRows: number;
  /** Of those, rows owned by other ranks. */
  remoteRows: number;
  /** Rows other ranks would have been asked for without dedup. */
  remoteRowsWithoutDedup: number;
  /** Bytes this rank's requests put on the wire to and from other ranks (ids + rows, or gradient rows). */
  requestBytes: number;
  /** The same without dedup. */
  requestBytesWithoutDedup: number;
  /** Bytes this rank handed to AlltoAllV for other ranks (requests and replies, headers included). */
  bytesSent: number;
  /** Bytes this rank received from other ranks. */
  bytesReceived: number;
}

/** Counters of a collection: lookups and updates apart. */
export interface CollectionCounters {
  lookup: TrafficCounters;
  update: TrafficCounters;
}

/** All-zero counters. */
export function zeroTraffic(): TrafficCounters {
  return {
    calls: 0, allToAllCalls: 0, ids: 0, requestedRows: 0, remoteRows: 0, remoteRowsWithoutDedup: 0,
    requestBytes: 0, requestBytesWithoutDedup: 0, bytesSent: 0, bytesReceived: 0,
  };
}
