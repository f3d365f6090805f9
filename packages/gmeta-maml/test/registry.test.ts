import { describe, expect, it } from "vitest";
import { add, mean } from "@gmeta/tensor";
import { MeLU, checkModel, createChecked, defaultSlots, modelFactory, registerModel, registeredModels } from "../src/index.js";
import type { MetaModel, ModelContext } from "../src/index.js";

const manifest = { denseDim: 3, slots: [{ name: "item", list: false, vocab: 10 }, { name: "tags", list: true, vocab: 6 }] };
const context = (options: Record<string, unknown> = {}): ModelContext => ({ manifest, denseDim: 3, embeddingDim: 4, slots: defaultSlots(manifest), options });

describe("model registry", () => {
  it("the built-in models are registered and honour their options", () => {
    expect(registeredModels().slice(0, 2)).toEqual(["dlrm", "melu"]);
    const melu = createChecked(modelFactory("melu")!, context({ hidden: [5] }), "melu");
    expect(melu).toBeInstanceOf(MeLU);
    expect(melu.params.map((p) => p.shape)).toEqual([[5, 11], [5], [1, 5], [1]]);
    const dlrm = createChecked(modelFactory("dlrm")!, context(), "dlrm");
    expect(dlrm.name).toBe("MetaDLRM");
    expect(() => modelFactory("melu")!(context({ hidden: [0] }))).toThrow("model: expected a list of positive integers for modelOptions.hidden, got [0]");
  });

  it("refuses names taken and models that do not fit the dataset", () => {
    expect(() => registerModel("melu", () => null as unknown as MetaModel)).toThrow('registerModel: expected a new name for name, got "melu" (already registered)');
    const melu = modelFactory("melu")!;
    expect(() => createChecked((c) => melu({ ...c, embeddingDim: 8 }), context(), "./m.js")).toThrow("model ./m.js: expected 4 (the run's embeddingDim) for embeddingDim, got 8");
    expect(() => createChecked((c) => melu({ ...c, slots: c.slots.slice(1) }), context(), "./m.js")).toThrow("model ./m.js: expected 2 slots (one per sparse column of the dataset) for slots, got 1 slots");
    expect(() => createChecked(() => ({}) as MetaModel, context(), "pkg")).toThrow("model pkg: expected a non-empty string for name, got undefined");
  });
});

describe("checkModel: tasks batched against tasks one by one", () => {
  it.each(["dlrm", "melu"])("%s passes", (name) => {
    const r = checkModel(createChecked(modelFactory(name)!, context(), name));
    console.info(`checkModel ${name}: max |diff| ${r.maxAbsDiff.toExponential(2)}, max |grad| ${r.maxAbsGrad.toExponential(2)}`);
    expect(r.maxAbsGrad).toBeGreaterThan(1e-4);
  });

  it("catches a model whose forward mixes tasks", () => {
    const base = createChecked(modelFactory("melu")!, context(), "melu");
    // Adds the mean logit over all tasks: fine for one task, wrong for a batch of them.
    const leaky: MetaModel = {
      name: "Leaky", params: base.params, slots: base.slots, embeddingDim: 4, denseDim: 3,
      forward(p, x) {
        const logits = base.forward(p, x);
        return add(logits, mean(logits));
      },
    };
    expect(() => checkModel(leaky)).toThrow(/checkModel Leaky: .*tasks batched give/);
  });
});
