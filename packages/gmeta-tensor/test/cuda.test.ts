// The CUDA seams that run without a GPU: availability reporting, device-selection errors,
// the cuBLAS loader's error path and the host-compiled index arithmetic of the kernels.
// The GPU half (cuda:0 against the CPU) runs where a device exists and otherwise is skipped
// with the reason printed.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { describe, expect, it } from "vitest";
import * as T from "../src/index.js";
import { addon } from "../src/native/binding.js";
import { expectClose, randTensor, rng, toF64 } from "./helpers.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const cuda = T.backends().cuda;
if (!cuda.available) console.info(`[gmeta-tensor tests] cuda: GPU tests skipped (${cuda.reason})`);

describe("CUDA availability is reported honestly", () => {
  it("cuda: compiled / available / devices / reason agree", () => {
    const b = T.backends();
    expect(b.cuda).toEqual({ ...T.info().cuda });
    if (b.cuda.available) {
      expect(b.cuda.compiled).toBe(true);
      expect(b.cuda.devices).toBeGreaterThan(0);
      expect(b.cuda.reason).toBe("");
    } else {
      expect(b.cuda.devices).toBe(0);
      expect(b.cuda.reason).toMatch(b.cuda.compiled ? /^no CUDA device \(cudaGetDeviceCount/ : /^built without CUDA$/);
    }
  });

  it("cuBLAS: a reason whenever it is not available", () => {
    const c = T.backends().cublas;
    if (c.available) {
      expect(c.path).not.toBe("");
      expect(c.reason).toBe("");
    } else {
      expect(c.reason).toMatch(/^(cuBLAS not found: tried .*; set GMETA_CUBLAS_PATH|built without CUDA \(cuBLAS found at )/);
    }
  });
});

describe("device selection errors come from TypeScript, before native code", () => {
  it.skipIf(cuda.available)("every way of asking for an unavailable GPU names the op and the reason", () => {
    const why = `(CUDA unavailable: ${cuda.reason})`;
    expect(() => T.zeros([2], { device: "cuda:0" })).toThrow(`full: expected an available device for device, got "cuda:0" ${why}`);
    expect(() => T.tensor([1, 2], { device: "cuda" })).toThrow(`tensor: expected an available device for device, got "cuda:0" ${why}`);
    expect(() => T.randn([3], { device: "cuda:1" })).toThrow(/^randn: expected an available device for device, got "cuda:1"/);
    const x = T.ones([2]);
    expect(() => x.to("cuda:0")).toThrow(`to: expected an available device for device, got "cuda:0" ${why}`);
    expect(() => T.toDevice(x, "cuda:3")).toThrow(`to: expected an available device for device, got "cuda:3" ${why}`);
    expect(() => T.assertDeviceAvailable("op", "cuda:0")).toThrow(`op: expected an available device for device, got "cuda:0" ${why}`);
  });

  it.skipIf(cuda.available)("native code refuses device storage too (the second line of defence)", () => {
    expect(() => new addon.Storage(0, 4, 0)).toThrow(/^Storage: cuda:0 is not available \((built without CUDA|no CUDA device)/);
    expect(() => addon.cudaStream(0)).toThrow(/not available/);
    expect(() => addon.recordEvent(0)).toThrow(/^recordEvent: cuda:0 is not available/);
    expect(() => addon.eventDone(0n)).toThrow("eventDone: expected an event from recordEvent");
    expect(() => addon.destroyEvent(1 as unknown as bigint)).toThrow("destroyEvent: expected a bigint for event");
    expect(() => addon.eventElapsedMs(0n, 1n)).toThrow("eventElapsedMs: expected two events from recordEvent");
    expect(() => addon.recordEvent(0, true)).toThrow(/^recordEvent: cuda:0 is not available/);
  });

  it("a device index past the last GPU is refused", () => {
    const d = `cuda:${cuda.devices + 5}` as T.Device;
    expect(() => T.zeros([1], { device: d })).toThrow(/^full: expected an available device for device, got "cuda:\d+"/);
  });

  it("to() on the tensor's own device returns it, and bad devices are refused by name", () => {
    const x = T.ones([2]);
    expect(x.to("cpu")).toBe(x);
    expect(() => x.to("gpu")).toThrow('to: expected "cpu" or "cuda:N" for device, got "gpu"');
    expect(T.synchronize("cpu")).toBeUndefined();
    expect(typeof T.devicePointer(x)).toBe("bigint");
    expect(T.devicePointer(x)).not.toBe(0n);
  });
});

describe("cuBLAS loader error path (child process: the loader remembers its first answer)", () => {
  function cublasIn(env: Record<string, string>): { available: boolean; reason: string } {
    const script = `import("${join(root, "src", "index.ts").replace(/\\/g, "/")}").then(T => console.log(JSON.stringify(T.backends().cublas)))`;
    const out = execFileSync(process.execPath, ["--import", "tsx", "-e", script], {
      cwd: root,
      env: { ...process.env, ...env },
      encoding: "utf8",
    });
    return JSON.parse(out.trim().split("\n").pop()!) as { available: boolean; reason: string };
  }

  it("a folder without cuBLAS lists every file tried and the variable to set", () => {
    const dir = mkdtempSync(join(tmpdir(), "gmeta-no-cublas-"));
    try {
      const c = cublasIn({ GMETA_CUBLAS_PATH: dir });
      expect(c.available).toBe(false);
      expect(c.reason).toContain(`cuBLAS not found: tried ${dir}/libcublas.so.13, ${dir}/libcublas.so.12, ${dir}/libcublas.so; set GMETA_CUBLAS_PATH`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a path that does not exist is tried as a file, with the loader's own message", () => {
    const c = cublasIn({ GMETA_CUBLAS_PATH: "/nonexistent/libcublas.so.13" });
    expect(c.available).toBe(false);
    expect(c.reason).toContain("cuBLAS not found: tried /nonexistent/libcublas.so.13; set GMETA_CUBLAS_PATH");
    expect(c.reason).toContain("No such file");
  });

  it("a file that is not cuBLAS says so", () => {
    const c = cublasIn({ GMETA_CUBLAS_PATH: process.execPath });
    expect(c.available).toBe(false);
    expect(c.reason).toContain(`cuBLAS not found: tried ${process.execPath}; set GMETA_CUBLAS_PATH`);
  });

  it("without the variable, the default names are tried", () => {
    const c = cublasIn({ GMETA_CUBLAS_PATH: "" });
    if (c.available) return; // a machine with cuBLAS installed: nothing to check here
    expect(c.reason).toContain("cuBLAS not found: tried libcublas.so.13, libcublas.so.12; set GMETA_CUBLAS_PATH");
  });
});

describe("kernel index arithmetic, compiled for the host", () => {
  it("StridedIndex and Philox agree with the CPU walkers (gmeta_host_index_test)", () => {
    const exe = join(root, "build", "Release", "gmeta_host_index_test");
    expect(existsSync(exe), `${exe} is built with the addon`).toBe(true);
    const r = spawnSync(exe, { encoding: "utf8" });
    expect(r.stdout + r.stderr).toMatch(/^ok \d+/);
    expect(r.status).toBe(0);
  });
});

describe.skipIf(!cuda.available)("cuda:0 against the CPU", () => {
  it("round trip and gradient across devices", () => {
    const r = rng();
    const { t: x, ref } = randTensor(r, [4, 5]);
    x.setRequiresGrad();
    const y = x.to("cuda:0");
    expect(y.device).toBe("cuda:0");
    expectClose(toF64(y), ref, 0, 0, "to(cuda:0)");
    const loss = T.sum(T.mul(y, y));
    const [g] = T.grad(loss, [x]);
    expect(g!.device).toBe("cpu");
    expectClose(toF64(g!), ref.map((v) => 2 * v), 1e-6, 1e-6, "grad through to()");
  });

  it("uniform random draws equal the CPU's bit for bit", () => {
    const a = T.rand([1000], { generator: new T.Generator(7) });
    const b = T.rand([1000], { generator: new T.Generator(7), device: "cuda:0" });
    expectClose(toF64(b), toF64(a), 0, 0, "rand");
  });
});
