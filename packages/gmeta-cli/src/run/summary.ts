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

/** The run in one line: model (by its own name), algorithm, inner loop, ranks, strategy. */
export function modelLine(s: Summary): string {
  const c = s.config;
  const model = s.phases.find((p) => p.model)?.model ?? c.model;
  return `G-Meta run: ${model}, ${c.algorithm} (${c.innerSteps} inner step${c.innerSteps === 1 ? "" : "s"}, adapt ${c.adapt}), ${s.worldSize} rank(s), strategy ${c.strategy}`;
}

/** The report printed at the end of a run and written as report.md (Markdown). */
export function formatReport(s: Summary): string {
  const lines: string[] = [`# ${modelLine(s)}`, "", "## Training", ""];
  lines.push("| phase | steps | seconds | samples/s (median) | tasks/s (median) | final query loss | AllReduce per step | AlltoAllV per step |");
  lines.push("|---|---:|---:|---:|---:|---:|---:|---:|");
  for (const p of s.phases) {
    const name = p.phase === "meta" ? `meta-learned (${p.algorithm})` : "baseline (plain mini-batch training)";
    lines.push(`| ${name} | ${p.steps} | ${p.seconds.toFixed(1)} | ${f(p.samplesPerSec, 0)} | ${f(p.tasksPerSec, 1)} | ${f(p.finalQueryLoss)} | ${f(p.comm.allReducePerStep, 1)} (${(p.comm.allReduceBytesPerStep / 1024).toFixed(1)} KiB) | ${f(p.comm.allToAllPerStep, 1)} (${(p.comm.allToAllBytesPerStep / 1024).toFixed(1)} KiB sent) |`);
  }
  const meta = s.phases.find((p) => p.phase === "meta")?.eval;
  const base = s.phases.find((p) => p.phase === "baseline")?.eval;
  const ev = meta ?? base;
  if (ev) {
    lines.push("", `## Held-out tasks (${ev.tasks} tasks, ${ev.samples} query samples)`, "", "| model | AUC | GAUC | logloss |", "|---|---:|---:|---:|");
    const row = (label: string, sc: Scores | undefined) => sc && lines.push(`| ${label} | ${f(sc.auc)} | ${f(sc.gauc)} | ${f(sc.logloss)} |`);
    row("meta-learned, adapted on support", meta?.adapted);
    row("meta-learned, without adaptation", meta?.unadapted);
    row("baseline, fine-tuned on support", base?.adapted);
    row("baseline, as trained", base?.unadapted);
    if (s.oracleAuc !== undefined) lines.push(`| oracle: the data's true click probabilities (all samples) | ${f(s.oracleAuc)} | | |`);
  } else if (s.oracleAuc !== undefined) {
    lines.push("", `Oracle AUC of the true click probabilities (all samples): ${f(s.oracleAuc)}`);
  }
  if (meta && base) {
    const best = Math.max(base.adapted.auc, base.unadapted.auc);
    lines.push("", `cold-start AUC on held-out tasks: meta-learned ${f(meta.adapted.auc)} vs baseline ${f(base.adapted.auc)} (fine-tuned) / ${f(base.unadapted.auc)} (as trained): ${meta.adapted.auc > best ? "+" : ""}${f(meta.adapted.auc - best)}`);
  }
  return lines.join("\n");
}
