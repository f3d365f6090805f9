#include <cmath>
#include <stdexcept>
#include <string>

#include "../../core/thread_pool.h"
#include "../common/strided.h"
#include "optim.h"

namespace gmeta {

void adam_step_cpu(Storage& param, const Storage& grad, Storage& m, Storage& v, const AdamArgs& a) {
  dispatch_float("adamStep", param.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* p = param.ptr<T>();
    const T* g = grad.ptr<T>() + a.grad.offset;
    const T gs = T(a.grad.scale);
    T* mp = m.ptr<T>();
    T* vp = v.ptr<T>();
    const T lr = T(a.lr), b1 = T(a.beta1), b2 = T(a.beta2), eps = T(a.eps), wd = T(a.weight_decay);
    const T bc1 = T(a.bias_correction1), bc2 = T(a.bias_correction2);
    const bool coupled_decay = wd != T(0) && !a.decoupled;
    const bool decoupled_decay = wd != T(0) && a.decoupled;
    parallel_for(0, param.numel(), kElementwiseGrain, [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i) {
        T gi = g[i] * gs;
        if (coupled_decay) gi += wd * p[i];
        if (decoupled_decay) p[i] -= lr * wd * p[i];
        mp[i] = b1 * mp[i] + (T(1) - b1) * gi;
        vp[i] = b2 * vp[i] + (T(1) - b2) * gi * gi;
        p[i] -= lr * (mp[i] / bc1) / (std::sqrt(vp[i] / bc2) + eps);
      }
    });
  });
}

void sgd_step_cpu(Storage& param, const Storage& grad, Storage* buf, const SgdArgs& a) {
  const bool use_momentum = a.momentum != 0.0;
  dispatch_float("sgdStep", param.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* p = param.ptr<T>();
    const T* g = grad.ptr<T>() + a.grad.offset;
    const T gs = T(a.grad.scale);
    T* b = use_momentum ? buf->ptr<T>() : nullptr;
    const T lr = T(a.lr), mom = T(a.momentum), damp = T(a.dampening), wd = T(a.weight_decay);
    parallel_for(0, param.numel(), kElementwiseGrain, [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i) {
        T d = g[i] * gs;
        if (wd != T(0)) d += wd * p[i];
        if (b) {
          b[i] = a.first_step ? d : mom * b[i] + (T(1) - damp) * d;
          d = a.nesterov ? d + mom * b[i] : b[i];
        }
        p[i] -= lr * d;
      }
    });
  });
}

}  // namespace gmeta
