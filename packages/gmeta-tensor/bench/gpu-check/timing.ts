// Timing for the GPU check: on a GPU, CUDA events around the work (the device's own time,
// without host launch gaps), as the GPU method asks; on the CPU (dry run), the host clock.
// After warm-up; the median of `reps` runs, in seconds.
import * as T from "@gmeta/tensor";
import type { Device } from "@gmeta/tensor";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export function timeOn(device: Device, fn: () => void, reps: number): number {
  for (let i = 0; i < 3; i++) fn();
  T.synchronize(device);
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    if (device === "cpu") {
      const t0 = process.hrtime.bigint();
      fn();
      ts.push(Number(process.hrtime.bigint() - t0) / 1e9);
      continue;
    }
    const start = T.recordEvent(device, true);
    fn();
    const end = T.recordEvent(device, true);
    try {
      ts.push(T.eventElapsedMs(start, end) / 1e3);
    } finally {
      T.destroyEvent(start);
      T.destroyEvent(end);
    }
  }
  return median(ts);
}
