import { argError } from "../errors.js";
import { addon } from "../native/binding.js";
import type { Tensor } from "../Tensor.js";
import { bufferToArray, fillBuffer, Optimizer } from "./Optimizer.js";
import type { FlatGradients, OptimizerState, StepOptions } from "./Optimizer.js";

export interface AdamOptions {
  lr?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  /** AdamW: decay the weights directly instead of adding wd·p to the gradient. */
  decoupled?: boolean;
}

/** Adam (and AdamW) with the update of torch.optim.Adam, fused per tensor in native code. */
export class Adam extends Optimizer {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly decoupled: boolean;
  private m: Tensor[];
  private v: Tensor[];

  constructor(params: readonly Tensor[], o: AdamOptions = {}) {
    super("Adam", params);
    this.lr = o.lr ?? 1e-3;
    this.beta1 = o.beta1 ?? 0.9;
    this.beta2 = o.beta2 ?? 0.999;
    this.eps = o.eps ?? 1e-8;
    this.weightDecay = o.weightDecay ?? 0;
    this.decoupled = o.decoupled ?? false;
    if (!(this.lr >= 0)) throw argError("Adam", "lr >= 0", "lr", String(this.lr));
    for (const [k, b] of [["beta1", this.beta1], ["beta2", this.beta2]] as const) {
      if (!(b >= 0 && b < 1)) throw argError("Adam", "a value in [0, 1)", k, String(b));
    }
    if (!(this.eps > 0)) throw argError("Adam", "eps > 0", "eps", String(this.eps));
    this.m = this.params.map((_, i) => this.buffer(i));
    this.v = this.params.map((_, i) => this.buffer(i));
  }

  step(grads: readonly Tensor[] | FlatGradients, options?: StepOptions): void {
    const { sources, scale } = this.gradSources(grads, options);
    this.stepCount++;
    const bc1 = 1 - this.beta1 ** this.stepCount;
    const bc2 = 1 - this.beta2 ** this.stepCount;
    this.params.forEach((p, i) => {
      if (p.numel === 0) return;
      const g = sources[i]!;
      addon.adamStep(p.storage.native, g.storage, this.m[i]!.storage.native, this.v[i]!.storage.native,
        this.lr, this.beta1, this.beta2, this.eps, this.weightDecay, bc1, bc2, this.decoupled, g.offset, scale);
    });
  }

  state(): OptimizerState {
    return { kind: "Adam", step: this.stepCount, buffers: { m: this.m.map(bufferToArray), v: this.v.map(bufferToArray) } };
  }

  loadState(s: OptimizerState): void {
    if (s.kind !== "Adam") throw argError("Adam.loadState", "an Adam state", "kind", s.kind);
    this.stepCount = s.step;
    this.m.forEach((t, i) => fillBuffer(t, s.buffers.m?.[i] ?? [], `m[${i}]`));
    this.v.forEach((t, i) => fillBuffer(t, s.buffers.v?.[i] ?? [], `v[${i}]`));
  }

  dispose(): void {
    for (const t of [...this.m, ...this.v]) t.dispose();
  }
}
