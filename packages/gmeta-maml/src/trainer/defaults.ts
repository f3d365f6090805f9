/** The trainer's documented defaults; the command line reads them instead of repeating them. */
export const DEFAULT_TRAINER = {
  /** Adam's learning rate on the dense meta-parameters. */
  outerLr: 1e-3,
  strategy: "gmeta",
  /** Largest AllReduce bucket in MiB (as in PyTorch DDP). */
  bucketMiB: 25,
} as const;
