import type { ProcessGroup } from "@gmeta/collectives";
import type { LookupResult, ShardedEmbeddingCollection } from "@gmeta/embedding";
import { hashId } from "@gmeta/embedding";
import type { Tensor } from "@gmeta/tensor";
import { concat, detach, noGrad, scatterAddRows, tensor, toDevice } from "@gmeta/tensor";
import type { CommCounters, SparseStore } from "./SparseStore.js";

/**
 * The trainer's view of a ShardedEmbeddingCollection. Ids reach it already unique (one
 * lookup for support and query of the whole meta-batch), so the collection's E_U is a
 * permutation of the trainer's rows; gradients are permuted back before the exchange.
 */
export class CollectionStore implements SparseStore {
  private pending: { result: LookupResult; ids: BigInt64Array[]; tables: string[]; inverse: Map<string, Int32Array> } | null = null;
  private pushCalls = 0;
  private pushBytes = 0;

  constructor(
    readonly collection: ShardedEmbeddingCollection,
    private readonly pg: ProcessGroup,
  ) {}

  async lookup(tables: readonly string[], ids: readonly BigInt64Array[]): Promise<Tensor[]> {
    this.pending?.result.dispose();
    const input: Record<string, BigInt64Array> = {};
    tables.forEach((t, i) => (input[t] = ids[i]!));
    const result = await this.collection.lookup(input);
    const inverse = new Map<string, Int32Array>();
    const out = tables.map((t) => {
      const lk = result.get(t);
      inverse.set(t, lk.inverse);
      // A fresh leaf per id in the caller's order, sharing the rows' memory; the graph to
      // E_U is not needed because gradients are routed back by the inverse index.
      return noGrad(() => detach(lk.values));
    });
    this.pending = { result, ids: ids.slice(), tables: tables.slice(), inverse };
    return out;
  }

  async applyGradients(tables: readonly string[], ids: readonly BigInt64Array[], grads: readonly Tensor[]): Promise<void> {
    // Gradients answer the latest lookup, which must have been of exactly these ids: every
    // rank decides this alike, so a mismatch is a programming error, not a cue to exchange.
    const p = this.pending;
    if (!p || !sameIds(p, tables, ids)) {
      throw new Error("CollectionStore.applyGradients: expected gradients for the ids of the latest lookup, got other ids (look them up first)");
    }
    const rows: Record<string, Tensor> = {};
    const temps: Tensor[] = [];
    try {
      tables.forEach((t, i) => {
        const inv = tensor(p.inverse.get(t)!, { dtype: "int32", device: grads[i]!.device });
        const g = noGrad(() => scatterAddRows(grads[i]!, inv, p.result.get(t).unique.shape[0]!));
        temps.push(inv, g);
        rows[t] = g;
      });
      await this.collection.applyGradients(rows, p.result);
    } finally {
      for (const t of temps) t.dispose();
      p.result.dispose();
      this.pending = null;
    }
  }

  async push(tables: readonly string[], ids: readonly BigInt64Array[], rows: readonly Tensor[]): Promise<void> {
    const W = this.pg.size;
    const plan = this.collection.plan;
    const parts: Tensor[][] = Array.from({ length: W }, () => []);
    tables.forEach((t, i) => {
      const tp = plan.tables.find((x) => x.table === t);
      const cfg = this.collection.tables.find((x) => x.name === t);
      if (!tp || !cfg) throw new Error(`CollectionStore.push: no table "${t}" in the plan`);
      const dim = cfg.dim;
      const data = rows[i]!.toArray() as Float32Array;
      const perRank: number[][] = Array.from({ length: W }, () => []);
      ids[i]!.forEach((id, k) => {
        const row = cfg.hash ? hashId(id, cfg.rows) : Number(id);
        const owner = tp.shards[Math.min(tp.shards.length - 1, Math.floor(row / tp.blockRows))]!.rank;
        // Each message row carries the id (as a float-encoded row index) and the row values.
        perRank[owner]!.push(row, ...data.subarray(k * dim, (k + 1) * dim));
      });
      perRank.forEach((vals, r) => parts[r]!.push(tensor(Float32Array.from(vals))));
    });
    const flat = parts.map((ps) => (ps.length ? concat(ps, 0) : tensor(new Float32Array(0))));
    const send = concat(flat, 0);
    const counts = flat.map((f) => f.numel);
    // Through the group's device (a GPU for NCCL), as a real push would be.
    const staged = toDevice(send, this.pg.device);
    const res = await this.pg.allToAllV(staged, counts);
    this.pushCalls++;
    this.pushBytes += send.numel * 4;
    for (const t of new Set([...parts.flat(), ...flat, send, staged, res.recv])) t.dispose();
  }

  /** Frees the rows of a lookup still waiting for its gradients. */
  dispose(): void {
    this.pending?.result.dispose();
    this.pending = null;
  }

  counters(): CommCounters {
    const c = this.collection.counters;
    return {
      calls: c.lookup.allToAllCalls + c.update.allToAllCalls + this.pushCalls,
      bytes: c.lookup.bytesSent + c.update.bytesSent + this.pushBytes,
    };
  }
}

function sameIds(p: { tables: string[]; ids: BigInt64Array[] }, tables: readonly string[], ids: readonly BigInt64Array[]): boolean {
  if (tables.length !== p.tables.length) return false;
  return tables.every((t, i) => {
    const a = ids[i]!;
    const b = p.ids[i]!;
    return t === p.tables[i] && a.length === b.length && a.every((v, k) => v === b[k]);
  });
}
