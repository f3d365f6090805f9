#include <stdexcept>
#include <string>

#include "../common/cuda_kernel.cuh"
#include "optim.h"

namespace gmeta {

namespace {

template <typename T>
__global__ void adam_kernel(T* p, const T* g, T gs, T* m, T* v, int64_t n, T lr, T b1, T b2, T eps, T wd,
                            T bc1, T bc2, bool coupled, bool decoupled) {
  GMETA_GRID_STRIDE(i, n) {
    T gi = g[i] * gs;
    T pi = p[i];
    if (coupled) gi += wd * pi;
    if (decoupled) pi -= lr * wd * pi;
    const T mi = b1 * m[i] + (T(1) - b1) * gi;
    const T vi = b2 * v[i] + (T(1) - b2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] = pi - lr * (mi / bc1) / (sqrt(vi / bc2) + eps);
  }
}

template <typename T>
__global__ void sgd_kernel(T* p, const T* g, T gs, T* buf, int64_t n, T lr, T mom, T damp, T wd,
                           bool nesterov, bool first) {
  GMETA_GRID_STRIDE(i, n) {
    T d = g[i] * gs;
    if (wd != T(0)) d += wd * p[i];
    if (buf) {
      buf[i] = first ? d : mom * buf[i] + (T(1) - damp) * d;
      d = nesterov ? d + mom * buf[i] : buf[i];
    }
    p[i] -= lr * d;
  }
}

}  // namespace

void adam_step_cuda(Storage& param, const Storage& grad, Storage& m, Storage& v, const AdamArgs& a) {
  const int64_t n = param.numel();
  OnDevice on(param.device());
  dispatch_float("adamStep", param.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if (n == 0) return;
    const bool coupled = a.weight_decay != 0 && !a.decoupled;
    const bool decoupled = a.weight_decay != 0 && a.decoupled;
    adam_kernel<T><<<cuda_blocks(n), kCudaThreads, 0, on.stream()>>>(
        param.ptr<T>(), grad.ptr<T>() + a.grad.offset, T(a.grad.scale), m.ptr<T>(), v.ptr<T>(), n, T(a.lr), T(a.beta1), T(a.beta2),
        T(a.eps), T(a.weight_decay), T(a.bias_correction1), T(a.bias_correction2), coupled, decoupled);
    GMETA_CUDA_LAUNCHED();
  });
}

void sgd_step_cuda(Storage& param, const Storage& grad, Storage* buf, const SgdArgs& a) {
  const bool use_momentum = a.momentum != 0.0;
  const int64_t n = param.numel();
  OnDevice on(param.device());
  dispatch_float("sgdStep", param.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if (n == 0) return;
    sgd_kernel<T><<<cuda_blocks(n), kCudaThreads, 0, on.stream()>>>(
        param.ptr<T>(), grad.ptr<T>() + a.grad.offset, T(a.grad.scale), use_momentum ? buf->ptr<T>() : nullptr, n, T(a.lr),
        T(a.momentum), T(a.dampening), T(a.weight_decay), a.nesterov, a.first_step);
    GMETA_CUDA_LAUNCHED();
  });
}

}  // namespace gmeta
