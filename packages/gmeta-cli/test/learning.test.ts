import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULTS, validateConfig } from "../src/config.js";
import { runTrainHere } from "../src/commands/train.js";
import { tmp, syntheticTasks } from "./helpers.js";

const dir = tmp("learn");

describe("learning on synthetic cold-start data", () => {
  it("MAML's adapted AUC on held-out users beats the same model trained without meta-learning, below the oracle", async () => {
    const { syn, prep } = await syntheticTasks(dir, { users: 2500, items: 600, categories: 20, samplesPerUser: [8, 60], dense: 4, seed: 7 }, { minSupport: 3, minQuery: 2, holdout: 0.2, seed: 7 });
    const cfg = validateConfig({
      ...DEFAULTS, data: prep.train, eval: prep.test!, out: join(dir, "run"), model: "melu", embeddingDim: 8, adapt: "dense",
      tasksPerBatch: 32, epochs: 3, seed: 1,
      // The demo's rates (the library's defaults, 0.1 and 1e-3, are tuned for no data set in particular).
      innerLr: 0.5, outerLr: 0.003,
    }, "test");
    const s = (await runTrainHere(cfg, false))!;
    const meta = s.phases.find((p) => p.phase === "meta")!.eval!;
    const base = s.phases.find((p) => p.phase === "baseline")!.eval!;
    const bestBase = Math.max(base.adapted.auc, base.unadapted.auc);
    console.info(`held-out AUC: MAML adapted ${meta.adapted.auc.toFixed(4)} (unadapted ${meta.unadapted.auc.toFixed(4)}), baseline fine-tuned ${base.adapted.auc.toFixed(4)}, as trained ${base.unadapted.auc.toFixed(4)}, oracle ${syn.oracleAuc.toFixed(4)}`);
    expect(meta.adapted.auc - bestBase).toBeGreaterThan(0.005);
    expect(meta.adapted.auc - meta.unadapted.auc).toBeGreaterThan(0.01);
    expect(meta.adapted.auc).toBeLessThan(syn.oracleAuc);
  });
});
