import { argError } from "../errors.js";
import { addon } from "../native/binding.js";
import type { Tensor } from "../Tensor.js";
import { bufferToArray, fillBuffer, Optimizer } from "./Optimizer.js";
import type { FlatGradients, OptimizerState, StepOptions } from "./Optimizer.js";

export interface SGDOptions {
  lr?: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
}

/** Stochastic gradient descent with the update of torch.optim.SGD. */
export class SGD extends Optimizer {
  readonly lr: number;
  readonly momentum: number;
  readonly dampening: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
  private bufs: (Tensor | null)[];

  constructor(params: readonly Tensor[], o: SGDOptions = {}) {
    super("SGD", params);
    this.lr = o.lr ?? 1e-2;
    this.momentum = o.momentum ?? 0;
    this.dampening = o.dampening ?? 0;
    this.weightDecay = o.weightDecay ?? 0;
    this.nesterov = o.nesterov ?? false;
    if (!(this.lr >= 0)) throw argError("SGD", "lr >= 0", "lr", String(this.lr));
    if (!(this.momentum >= 0)) throw argError("SGD", "momentum >= 0", "momentum", String(this.momentum));
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw argError("SGD", "momentum > 0 and dampening 0", "nesterov", "true");
    }
    this.bufs = this.params.map((_, i) => (this.momentum > 0 ? this.buffer(i) : null));
  }

  step(grads: readonly Tensor[] | FlatGradients, options?: StepOptions): void {
    const { sources, scale } = this.gradSources(grads, options);
    const first = this.stepCount === 0;
    this.stepCount++;
    this.params.forEach((p, i) => {
      if (p.numel === 0) return;
      const g = sources[i]!;
      addon.sgdStep(p.storage.native, g.storage, this.bufs[i]?.storage.native ?? null,
        this.lr, this.momentum, this.dampening, this.weightDecay, this.nesterov, first, g.offset, scale);
    });
  }

  state(): OptimizerState {
    return { kind: "SGD", step: this.stepCount, buffers: { momentum: this.bufs.map(bufferToArray) } };
  }

  loadState(s: OptimizerState): void {
    if (s.kind !== "SGD") throw argError("SGD.loadState", "an SGD state", "kind", s.kind);
    this.stepCount = s.step;
    this.bufs.forEach((t, i) => {
      const vals = s.buffers.momentum?.[i];
      if (t && vals) fillBuffer(t, vals, `momentum[${i}]`);
    });
  }

  dispose(): void {
    for (const t of this.bufs) t?.dispose();
  }
}
