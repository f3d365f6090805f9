import { describe, expect, it } from "vitest";
import { auc } from "../src/index.js";
import { Rng } from "../src/rng.js";

// O(P·N) definition: P(score of a positive > score of a negative), ties counting one half.
function pairAuc(y: number[], s: number[]): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < y.length; i++) {
    for (let j = 0; j < y.length; j++) {
      if (y[i] === 1 && y[j] === 0) {
        den++;
        num += s[i]! > s[j]! ? 1 : s[i] === s[j] ? 0.5 : 0;
      }
    }
  }
  return num / den;
}

describe("auc", () => {
  it("is 1 for a perfect ranking, 0 for a reversed one, 0.5 for all ties", () => {
    expect(auc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])).toBe(1);
    expect(auc([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9])).toBe(0);
    expect(auc([1, 0, 1, 0], [0.5, 0.5, 0.5, 0.5])).toBe(0.5);
  });

  it("averages tied ranks like the pairwise definition", () => {
    const rng = new Rng(3);
    for (let trial = 0; trial < 20; trial++) {
      const n = 5 + rng.int(60);
      const y = Array.from({ length: n }, () => (rng.uniform() < 0.4 ? 1 : 0));
      y[0] = 1;
      y[1] = 0;
      const s = Array.from({ length: n }, () => rng.int(6) / 5);
      expect(auc(y, s)).toBeCloseTo(pairAuc(y, s), 12);
    }
  });

  it("is NaN with one class and rejects mismatched lengths", () => {
    expect(auc([1, 1], [0.2, 0.3])).toBeNaN();
    expect(() => auc([1, 0], [0.2])).toThrow(/auc: expected scores of length 2/);
  });
});
