#ifndef EXPLAINCERT_FIXED_ORDER_KERNELS_H
#define EXPLAINCERT_FIXED_ORDER_KERNELS_H
#include <stddef.h>
#include <stdbool.h>

/// The float core's dense kernels, each computing every output in one fixed order of IEEE
/// operations (README.md): the same bits on every CPU, instruction set, thread count and build.

/// `c[i, j] = a[i, :] · b[j, :]` for i < m, j < n (with `adding`: `c[i, j] += …`); the rows of a,
/// b and c are `lda`, `ldb` and `ldc` elements apart, and every dot product has length k.
void fixed_order_sgemm_nt(const float *a, size_t lda, const float *b, size_t ldb, float *c, size_t ldc,
                          size_t m, size_t n, size_t k, bool adding);
void fixed_order_dgemm_nt(const double *a, size_t lda, const double *b, size_t ldb, double *c, size_t ldc,
                          size_t m, size_t n, size_t k, bool adding);

/// The upper triangle (j ≥ i) of `c[i, j] = a[i, :] · a[j, :]` for i, j < n, with the values
/// `fixed_order_?gemm_nt(a, lda, a, lda, …)` gives there (a few entries below the diagonal may be
/// written too, with their mirror's value).
void fixed_order_ssyrk_upper(const float *a, size_t lda, float *c, size_t ldc, size_t n, size_t k);
void fixed_order_dsyrk_upper(const double *a, size_t lda, double *c, size_t ldc, size_t n, size_t k);

/// Solves `a·x = b` for a symmetric positive definite `a` [n, n] (row-major, read from its lower
/// triangle) by a Cholesky factorisation a = L·Lᵀ into `factor` [n, n] and two triangular solves;
/// `b` becomes x. False when a pivot is not positive (or not a number): then `b` is unchanged.
bool fixed_order_cholesky_solve(const double *a, double *factor, double *b, size_t n);
#endif
