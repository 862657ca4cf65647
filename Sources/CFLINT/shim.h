// FLINT's fmpz, fmpz_mat and fmpq for Swift.  Swift imports FLINT's functions
// (including its `static inline` ones) directly; what it cannot import are the
// function-like macros of fmpz.h.  This header re-exposes the few that
// ExactArithmetic uses as `static inline` functions with a `cflint_` prefix.
#ifndef EXPLAINCERT_CFLINT_SHIM_H
#define EXPLAINCERT_CFLINT_SHIM_H

#include <gmp.h>
#include <flint/flint.h>
#include <flint/fmpz.h>
#include <flint/fmpz_mat.h>
#include <flint/fmpq.h>

/// Nonzero when the fmpz word `f` is a tagged pointer to an mpz rather than an
/// inline small integer (fmpz.h: `COEFF_IS_MPZ` macro).
static inline int cflint_coeff_is_mpz(fmpz f) { return COEFF_IS_MPZ(f); }

/// The GMP integer an fmpz word points to when `cflint_coeff_is_mpz` (fmpz.h: `COEFF_TO_PTR`).
static inline mpz_ptr cflint_coeff_to_ptr(fmpz f) { return COEFF_TO_PTR(f); }

/// The fmpz word that points to the GMP integer `p` (fmpz.h: `PTR_TO_COEFF`).
static inline fmpz cflint_ptr_to_coeff(mpz_ptr p) { return PTR_TO_COEFF(p); }

/// The largest value stored inline in an fmpz (fmpz.h: `COEFF_MAX`).
static inline slong cflint_coeff_max(void) { return COEFF_MAX; }

/// The smallest value stored inline in an fmpz (fmpz.h: `COEFF_MIN`).
static inline slong cflint_coeff_min(void) { return COEFF_MIN; }

/// Pointer to entry (i, j) of `mat` (fmpz_mat.h: `fmpz_mat_entry`).
static inline fmpz *cflint_fmpz_mat_entry(const fmpz_mat_struct *mat, slong i, slong j) {
    return mat->rows[i] + j;
}

/// Pointer to the first entry of row `i` of `mat`; its entries are contiguous.
static inline fmpz *cflint_fmpz_mat_row(const fmpz_mat_struct *mat, slong i) {
    return mat->rows[i];
}

/// The numerator of `q` (fmpq.h: `fmpq_numref` macro).
static inline fmpz *cflint_fmpq_numref(fmpq *q) { return fmpq_numref(q); }

/// The denominator of `q` (fmpq.h: `fmpq_denref` macro).
static inline fmpz *cflint_fmpq_denref(fmpq *q) { return fmpq_denref(q); }

/// The FLINT version string the program runs against.
static inline const char *cflint_version(void) { return flint_version; }

#endif
