export type { AnyTypedArray, DType } from "./dtype.js";
export { bytesPerElement, concatTypedArrays, DTYPES, dtypeOfTypedArray, isFloat, typedArrayFor } from "./dtype.js";
export type { Device } from "./device.js";
export { mulberry32 } from "./seededRandom.js";
export { Tensor } from "./Tensor.js";
export type { GradFn } from "./Tensor.js";
export { captureTensors, keep, Scope, tidy, tidyAsync, untracked, watchTensors } from "./memory.js";
export { getNumThreads, info, memory, releaseCachedMemory, setNumThreads } from "./runtime.js";
export { assertDeviceAvailable, backends } from "./backends.js";
export type { BackendStatus, TensorBackends } from "./backends.js";
export { copyInto, cudaStream, destroyEvent, devicePointer, eventDone, eventElapsedMs, recordEvent, synchronize, useDevice } from "./interop.js";
export { toDevice } from "./ops/toDevice.js";
export { loadNative, nativeBuildDir, nativeLoadError } from "./native/nativeLoader.js";
export type { NativePackage } from "./native/nativeLoader.js";

export { arange, assign, empty, full, fullLike, ones, onesLike, tensor, zeros, zerosLike } from "./ops/creation.js";
export type { TensorOptions } from "./ops/creation.js";
export { add, div, eq, ge, gt, le, lt, maximum, minimum, mul, ne, pow, sub, where } from "./ops/binary.js";
export type { Operand } from "./ops/binary.js";
export {
  abs, affine, clamp, exp, log, log1p, neg, powScalar, reciprocal, relu, sigmoid, sign, softplus, sqrt, square, step, tanh,
} from "./ops/unary.js";
export { max, mean, min, sum, sumToShape } from "./ops/reduce.js";
export type { Axes } from "./ops/reduce.js";
export {
  cast, clone, concat, detach, expand, flatten, permute, reshape, slice, squeeze, stack, transpose, unsqueeze,
} from "./ops/shapeOps.js";
export { bmm, matmul } from "./ops/matmul.js";
export type { MatmulOptions } from "./ops/matmul.js";
export { embeddingBag, gatherRows, indexAdd, scatterAddRows, segmentMean, segmentSum } from "./ops/indexing.js";
export { bceWithLogits, mse } from "./ops/loss.js";
export { pairDot } from "./ops/pairs.js";
export type { FeaturePairs } from "./ops/pairs.js";
export type { Reduction } from "./ops/loss.js";
export { defaultGenerator, Generator, manualSeed, rand, randint, randn } from "./ops/random.js";
export type { RandomOptions } from "./ops/random.js";

export { enableGrad, isGradEnabled, noGrad } from "./autograd/gradMode.js";
export { grad, valueAndGrad } from "./autograd/grad.js";
export type { GradOptions } from "./autograd/grad.js";

export * as nn from "./nn/index.js";
export { Adam } from "./optim/Adam.js";
export type { AdamOptions } from "./optim/Adam.js";
export { SGD } from "./optim/SGD.js";
export type { SGDOptions } from "./optim/SGD.js";
export { Optimizer } from "./optim/Optimizer.js";
export type { FlatGradients, OptimizerState, StepOptions } from "./optim/Optimizer.js";

export { capture } from "./program/capture.js";
export type { Captured } from "./program/capture.js";
export { compile, CompiledFunction } from "./program/compile.js";
export type { CompiledInput, CompileOptions, HostInput, PaddedInput, SignatureStatus } from "./program/compile.js";
export type { OpProfile, ProgramStats } from "./native/AddonTypes.js";
