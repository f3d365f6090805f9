#pragma once
#include "../../core/device.h"
#include "../../core/storage.h"

namespace gmeta {

struct AdamArgs {
  double lr, beta1, beta2, eps, weight_decay, bias_correction1, bias_correction2;
  bool decoupled;
};

struct SgdArgs {
  double lr, momentum, dampening, weight_decay;
  bool nesterov, first_step;
};

void adam_step_cpu(Storage& param, const Storage& grad, Storage& m, Storage& v, const AdamArgs& args);
void adam_step_cuda(Storage& param, const Storage& grad, Storage& m, Storage& v, const AdamArgs& args);
// momentum_buf may be null when args.momentum == 0.
void sgd_step_cpu(Storage& param, const Storage& grad, Storage* momentum_buf, const SgdArgs& args);
void sgd_step_cuda(Storage& param, const Storage& grad, Storage* momentum_buf, const SgdArgs& args);

inline void adam_step(Storage& param, const Storage& grad, Storage& m, Storage& v,
                      const AdamArgs& args) {
  const int device = param.device();
  GMETA_ON_DEVICE("adamStep", device, adam_step_cpu(param, grad, m, v, args), adam_step_cuda(param, grad, m, v, args));
}

inline void sgd_step(Storage& param, const Storage& grad, Storage* momentum_buf,
                     const SgdArgs& args) {
  const int device = param.device();
  GMETA_ON_DEVICE("sgdStep", device, sgd_step_cpu(param, grad, momentum_buf, args), sgd_step_cuda(param, grad, momentum_buf, args));
}

}  // namespace gmeta
