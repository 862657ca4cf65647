// The fixed-order kernels (README.md). Each kernel body is in kernels.inc, compiled twice on
// x86-64: once for any processor and once for processors with AVX, picked at run time.
#include "fixed_order_kernels.h"
#include <math.h>
#include <string.h>

#pragma clang fp contract(off)

typedef float f8 __attribute__((vector_size(8 * sizeof(float))));
typedef double d8 __attribute__((vector_size(8 * sizeof(double))));

#define SCALAR float
#define VECTOR f8
#define NAME(x) x##_float
#include "kernels.inc"
#undef SCALAR
#undef VECTOR
#undef NAME

#define SCALAR double
#define VECTOR d8
#define NAME(x) x##_double
#include "kernels.inc"
#undef SCALAR
#undef VECTOR
#undef NAME

#if defined(__x86_64__)
#define HAS_AVX_COPY 1
#define TARGET __attribute__((target("avx")))
#define SCALAR float
#define VECTOR f8
#define NAME(x) x##_float_avx
#include "kernels.inc"
#undef SCALAR
#undef VECTOR
#undef NAME
#define SCALAR double
#define VECTOR d8
#define NAME(x) x##_double_avx
#include "kernels.inc"
#undef SCALAR
#undef VECTOR
#undef NAME
#undef TARGET

#include <stdlib.h>
/// The AVX copy where the processor has AVX, unless EXPLAINCERT_KERNELS=generic asks for the
/// other copy (the tests run both and compare their bits).
static bool use_avx(void) {
  static int answer = -1;
  if (answer < 0) {
    const char *choice = getenv("EXPLAINCERT_KERNELS");
    __builtin_cpu_init();
    answer = __builtin_cpu_supports("avx") && !(choice && strcmp(choice, "generic") == 0) ? 1 : 0;
  }
  return answer == 1;
}
#define DISPATCH(name, type, ...) (use_avx() ? name##_##type##_avx(__VA_ARGS__) : name##_##type(__VA_ARGS__))
#else
#define DISPATCH(name, type, ...) name##_##type(__VA_ARGS__)
#endif

void fixed_order_sgemm_nt(const float *a, size_t lda, const float *b, size_t ldb, float *c, size_t ldc,
                          size_t m, size_t n, size_t k, bool adding) {
  DISPATCH(gemm_nt, float, a, lda, b, ldb, c, ldc, m, n, k, adding, false);
}

void fixed_order_dgemm_nt(const double *a, size_t lda, const double *b, size_t ldb, double *c, size_t ldc,
                          size_t m, size_t n, size_t k, bool adding) {
  DISPATCH(gemm_nt, double, a, lda, b, ldb, c, ldc, m, n, k, adding, false);
}

void fixed_order_ssyrk_upper(const float *a, size_t lda, float *c, size_t ldc, size_t n, size_t k) {
  DISPATCH(gemm_nt, float, a, lda, a, lda, c, ldc, n, n, k, false, true);
}

void fixed_order_dsyrk_upper(const double *a, size_t lda, double *c, size_t ldc, size_t n, size_t k) {
  DISPATCH(gemm_nt, double, a, lda, a, lda, c, ldc, n, n, k, false, true);
}

bool fixed_order_cholesky_solve(const double *a, double *factor, double *b, size_t n) {
  // Row by row: L[i][j] = (a[i][j] − L[i][:j]·L[j][:j]) / L[j][j], L[i][i] = √(a[i][i] − L[i][:i]·L[i][:i]).
  for (size_t i = 0; i < n; i++) {
    double *li = factor + i * n;
    for (size_t j = 0; j <= i; j++) {
      double s = a[i * n + j] - DISPATCH(dot, double, li, factor + j * n, j);
      if (j < i) {
        li[j] = s / factor[j * n + j];
      } else {
        if (!(s > 0) || !isfinite(s)) return false;
        li[i] = sqrt(s);
      }
    }
    memset(li + i + 1, 0, (n - i - 1) * sizeof(double));
  }
  // L·y = b, then Lᵀ·x = y, in place (the second reads L by columns, in increasing row).
  for (size_t i = 0; i < n; i++) {
    b[i] = (b[i] - DISPATCH(dot, double, factor + i * n, b, i)) / factor[i * n + i];
  }
  for (size_t i = n; i-- > 0;) {
    double s = b[i];
    for (size_t r = i + 1; r < n; r++) s -= factor[r * n + i] * b[r];
    b[i] = s / factor[i * n + i];
  }
  return true;
}
