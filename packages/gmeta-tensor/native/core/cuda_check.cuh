// The shared CUDA check (native/include/gmeta/cuda_check.h), under the name this package's
// kernels include.
#pragma once
#include <gmeta/cuda_check.h>
