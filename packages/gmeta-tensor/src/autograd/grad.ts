import { fmtShape } from "../errors.js";
import { tidy } from "../memory.js";
import { add } from "../ops/binary.js";
import { onesLike, zerosLike } from "../ops/creation.js";
import { sameShape } from "../shape.js";
import { Tensor } from "../Tensor.js";
import { enableGrad, noGrad } from "./gradMode.js";

export interface GradOptions {
  /** Gradients of the outputs; default ones for one-element outputs. */
  gradOutputs?: (Tensor | null)[];
  /** Record the backward pass so that the result can be differentiated again. */
  createGraph?: boolean;
  /** Return zeros for inputs the outputs do not depend on, instead of throwing. */
  allowUnused?: boolean;
}

/** Tensors reachable from `outputs` through recorded ops, outputs first (reverse topological order). */
function reverseTopo(outputs: readonly Tensor[]): Tensor[] {
  const order: Tensor[] = [];
  const state = new Map<Tensor, 1 | 2>();
  // Iterative DFS: MAML graphs are deep enough to overflow a recursive one.
  for (const root of outputs) {
    if (state.has(root)) continue;
    const stack: [Tensor, number][] = [[root, 0]];
    state.set(root, 1);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const [t, i] = top;
      const inputs = t.gradFn?.inputs ?? [];
      if (i < inputs.length) {
        top[1]++;
        const c = inputs[i]!;
        if (c.requiresGrad && !state.has(c)) {
          state.set(c, 1);
          stack.push([c, 0]);
        }
      } else {
        stack.pop();
        state.set(t, 2);
        order.push(t);
      }
    }
  }
  return order.reverse();
}

/**
 * Gradients of `outputs` with respect to `inputs`, like `torch.autograd.grad`.
 * With `createGraph` the result is itself differentiable (second-order MAML).
 * @example const [gw] = grad(loss, [w], { createGraph: true });
 */
export function grad(
  outputs: Tensor | readonly Tensor[],
  inputs: readonly Tensor[],
  opts: GradOptions = {},
): Tensor[] {
  const outs = Array.isArray(outputs) ? (outputs as readonly Tensor[]) : [outputs as Tensor];
  inputs.forEach((x, i) => {
    x.assertLive("grad");
    if (!x.requiresGrad) {
      throw new Error(`grad: expected a tensor that requires grad for inputs[${i}], got one that does not`);
    }
  });
  outs.forEach((o, i) => {
    o.assertLive("grad");
    if (!o.requiresGrad) {
      throw new Error(`grad: expected a tensor that requires grad for outputs[${i}], got one with no recorded graph`);
    }
  });
  const run = (): Tensor[] => {
    const grads = new Map<Tensor, Tensor>();
    outs.forEach((o, i) => {
      const g = opts.gradOutputs?.[i];
      if (g) {
        if (!sameShape(g.shape, o.shape)) {
          throw new Error(`grad: expected shape ${fmtShape(o.shape)} for gradOutputs[${i}], got ${fmtShape(g.shape)}`);
        }
        grads.set(o, grads.has(o) ? add(grads.get(o)!, g) : g);
      } else {
        if (o.numel !== 1) {
          throw new Error(`grad: expected gradOutputs[${i}] for a non-scalar output, got none (output shape ${fmtShape(o.shape)})`);
        }
        grads.set(o, grads.has(o) ? add(grads.get(o)!, onesLike(o)) : onesLike(o));
      }
    });
    const order = reverseTopo(outs);
    // Only tensors from which an input can be reached carry a gradient anyone asked for: the
    // rest of the graph (earlier inner steps, the path back to the meta-parameters when only
    // the fast weights were asked for) is not differentiated, as torch.autograd.grad prunes.
    const wanted = new Set(inputs);
    const leads = new Set<Tensor>();
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i]!;
      if (wanted.has(t) || t.gradFn?.inputs.some((x) => leads.has(x))) leads.add(t);
    }
    for (const t of order) {
      const g = grads.get(t);
      if (!g || !t.gradFn || !leads.has(t)) continue;
      const ig = t.gradFn.backward(g);
      t.gradFn.inputs.forEach((x, k) => {
        const gx = ig[k];
        if (!gx || !x.requiresGrad || !leads.has(x)) return;
        const prev = grads.get(x);
        grads.set(x, prev ? add(prev, gx) : gx);
      });
    }
    return inputs.map((x, i) => {
      const g = grads.get(x);
      if (g) return g;
      if (opts.allowUnused) return zerosLike(x);
      throw new Error(`grad: expected inputs[${i}] to be used by the outputs, got an input they do not depend on (pass allowUnused)`);
    });
  };
  if (opts.createGraph) return enableGrad(run);
  // Without a graph to keep, every intermediate gradient is freed before returning.
  return tidy(() => noGrad(run));
}

/**
 * Wraps `fn` so that it returns its value and the gradients with respect to all its
 * arguments (arguments that do not require grad are differentiated through detached copies).
 */
export function valueAndGrad(
  fn: (...args: Tensor[]) => Tensor,
  opts: Omit<GradOptions, "gradOutputs"> = {},
): (...args: Tensor[]) => { value: Tensor; grads: Tensor[] } {
  return (...args: Tensor[]) => {
    const xs = args.map((a) => (a.requiresGrad ? a : detachLeaf(a)));
    const value = enableGrad(() => fn(...xs));
    const grads = grad(value, xs, { allowUnused: true, ...opts });
    return { value, grads };
  };
}

function detachLeaf(a: Tensor): Tensor {
  const t = new Tensor(a.storage.retain(), a.shape, a.dtype, a.device);
  return t.setRequiresGrad(true);
}
