#pragma once
#include <stdexcept>
#include <string>

#include "../../core/device.h"
#include "../../core/storage.h"

namespace gmeta {

// Where the gradient is read: grad_offset elements into the grad storage (a slice of a flat
// gradient buffer, as reduced by AllReduce), each element times grad_scale.
struct GradSource {
  int64_t offset = 0;
  double scale = 1.0;
};

struct AdamArgs {
  double lr, beta1, beta2, eps, weight_decay, bias_correction1, bias_correction2;
  bool decoupled;
  GradSource grad;
};

struct SgdArgs {
  double lr, momentum, dampening, weight_decay;
  bool nesterov, first_step;
  GradSource grad;
};

void adam_step_cpu(Storage& param, const Storage& grad, Storage& m, Storage& v, const AdamArgs& args);
void adam_step_cuda(Storage& param, const Storage& grad, Storage& m, Storage& v, const AdamArgs& args);
// momentum_buf may be null when args.momentum == 0.
void sgd_step_cpu(Storage& param, const Storage& grad, Storage* momentum_buf, const SgdArgs& args);
void sgd_step_cuda(Storage& param, const Storage& grad, Storage* momentum_buf, const SgdArgs& args);

// Argument checks shared by the CPU and CUDA kernels, run once by the launchers below.
inline void check_like(const char* op, const char* name, const Storage& param, const Storage& s) {
  if (s.dtype() != param.dtype() || s.numel() != param.numel() || s.device() != param.device())
    throw std::invalid_argument(std::string(op) + ": expected " + name +
                                " with the dtype, numel and device of param");
}

inline void check_grad(const char* op, const Storage& param, const Storage& grad, const GradSource& g) {
  if (grad.dtype() != param.dtype() || grad.device() != param.device())
    throw std::invalid_argument(std::string(op) + ": expected grad with the dtype and device of param");
  if (g.offset < 0 || grad.numel() < g.offset + param.numel())
    throw std::out_of_range(std::string(op) + ": expected grad to hold gradOffset + numel(param) elements");
}

inline void adam_step(Storage& param, const Storage& grad, Storage& m, Storage& v,
                      const AdamArgs& args) {
  check_grad("adamStep", param, grad, args.grad);
  check_like("adamStep", "m", param, m);
  check_like("adamStep", "v", param, v);
  const int device = param.device();
  GMETA_ON_DEVICE("adamStep", device, adam_step_cpu(param, grad, m, v, args), adam_step_cuda(param, grad, m, v, args));
}

inline void sgd_step(Storage& param, const Storage& grad, Storage* momentum_buf,
                     const SgdArgs& args) {
  check_grad("sgdStep", param, grad, args.grad);
  if (args.momentum != 0.0 && !momentum_buf) throw std::invalid_argument("sgdStep: expected a momentum buffer when momentum != 0");
  if (args.momentum != 0.0) check_like("sgdStep", "momentumBuf", param, *momentum_buf);
  const int device = param.device();
  GMETA_ON_DEVICE("sgdStep", device, sgd_step_cpu(param, grad, momentum_buf, args), sgd_step_cuda(param, grad, momentum_buf, args));
}

}  // namespace gmeta
