#ifndef EXPLAINCERT_CBLAS_SHIM_H
#define EXPLAINCERT_CBLAS_SHIM_H
#include <cblas.h>

/// LAPACK's Cholesky factorisation, which OpenBLAS implements in C (its Fortran-style entry point,
/// column-major, no hidden string lengths).
int dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info);
#endif
