// GMETA_HD marks functions that compile for both host and device, so index arithmetic a
// CUDA kernel uses can be tested on a machine without a GPU.
#pragma once
#if defined(__CUDACC__)
#define GMETA_HD __host__ __device__
#else
#define GMETA_HD
#endif
