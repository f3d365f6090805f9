import type { Scores } from "@gmeta/maml";
import type { TrainConfig } from "../config.js";
import type { PhaseResult } from "./trainRank.js";

/** summary.json of a run. */
export interface Summary {
  createdBy: string;
  worldSize: number;
  config: TrainConfig;
  phases: PhaseResult[];
  /** AUC of the synthetic data's true click probabilities (all samples), when known. */
  oracleAuc?: number;
}

const f = (x: number | undefined, d = 4) => (x === undefined || Number.isNaN(x) ? "n/a" : x.toFixed(d));

function scoreRow(label: string, s: Scores | undefined): string {
  return `  ${label.padEnd(34)} AUC ${f(s?.auc)}   GAUC ${f(s?.gauc)}   logloss ${f(s?.logloss)}`;
}

/** The report printed at the end of a run and written as report.md. */
export function formatReport(s: Summary): string {
  const lines: string[] = [];
  const c = s.config;
  const model = s.phases.find((p) => p.model)?.model ?? c.model;
  lines.push(`G-Meta run: ${model}, ${c.algorithm} (${c.innerSteps} inner step${c.innerSteps === 1 ? "" : "s"}, adapt ${c.adapt}), ${s.worldSize} rank(s), strategy ${c.strategy}`);
  for (const p of s.phases) {
    const name = p.phase === "meta" ? `meta-learned (${p.algorithm})` : "baseline (plain mini-batch training)";
    lines.push("");
    lines.push(`${name}: ${p.steps} steps in ${p.seconds.toFixed(1)} s, ${f(p.samplesPerSec, 0)} samples/s, ${f(p.tasksPerSec, 1)} tasks/s (median), final query loss ${f(p.finalQueryLoss)}`);
    lines.push(`  per step: ${f(p.comm.allReducePerStep, 1)} AllReduce (${(p.comm.allReduceBytesPerStep / 1024).toFixed(1)} KiB), ${f(p.comm.allToAllPerStep, 1)} AlltoAllV (${(p.comm.allToAllBytesPerStep / 1024).toFixed(1)} KiB sent)`);
    if (p.eval) {
      lines.push(`  held-out tasks: ${p.eval.tasks} tasks, ${p.eval.samples} query samples`);
      lines.push(scoreRow("after adapting on support", p.eval.adapted));
      lines.push(scoreRow("without adaptation", p.eval.unadapted));
    }
  }
  const meta = s.phases.find((p) => p.phase === "meta")?.eval;
  const base = s.phases.find((p) => p.phase === "baseline")?.eval;
  if (meta && base) {
    lines.push("");
    lines.push(`cold-start AUC on held-out tasks: meta-learned ${f(meta.adapted.auc)} vs baseline ${f(base.adapted.auc)} (fine-tuned) / ${f(base.unadapted.auc)} (as trained): ${meta.adapted.auc > Math.max(base.adapted.auc, base.unadapted.auc) ? "+" : ""}${f(meta.adapted.auc - Math.max(base.adapted.auc, base.unadapted.auc))}`);
  }
  if (s.oracleAuc !== undefined) lines.push(`oracle AUC of the true click probabilities (all samples): ${f(s.oracleAuc)}`);
  return lines.join("\n");
}
