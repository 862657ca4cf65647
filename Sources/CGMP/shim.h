// Swift imports GMP's functions under their real symbol names (`__gmpz_add`,
// `__gmpq_mul`, ...), because gmp.h spells the public names (`mpz_add`) as
// macros.  What it cannot import at all are gmp.h's function-like macros and
// inline field accesses; this header re-exposes the few ExactArithmetic uses
// as `static inline` functions.  Nothing here allocates or has side effects.
#ifndef EXPLAINCERT_CGMP_SHIM_H
#define EXPLAINCERT_CGMP_SHIM_H

#include <gmp.h>

/// -1, 0 or 1: the sign of `z` (gmp.h: `mpz_sgn` macro).
static inline int cgmp_mpz_sgn(const __mpz_struct *z) { return mpz_sgn(z); }

/// Nonzero when `z` is odd (gmp.h: `mpz_odd_p` macro).
static inline int cgmp_mpz_odd_p(const __mpz_struct *z) { return mpz_odd_p(z); }

/// Nonzero when `z` is even (gmp.h: `mpz_even_p` macro).
static inline int cgmp_mpz_even_p(const __mpz_struct *z) { return mpz_even_p(z); }

/// Compares `z` with a signed machine word (gmp.h: `mpz_cmp_si` macro).
static inline int cgmp_mpz_cmp_si(const __mpz_struct *z, long v) { return mpz_cmp_si(z, v); }

/// Compares `z` with an unsigned machine word (gmp.h: `mpz_cmp_ui` macro).
static inline int cgmp_mpz_cmp_ui(const __mpz_struct *z, unsigned long v) { return mpz_cmp_ui(z, v); }

/// Number of limbs in |z|, 0 for z == 0 (gmp.h: `mpz_size`, an inline).
static inline size_t cgmp_mpz_size(const __mpz_struct *z) { return mpz_size(z); }

/// Read-only pointer to the limbs of |z|, least significant first.
static inline const mp_limb_t *cgmp_mpz_limbs(const __mpz_struct *z) { return z->_mp_d; }

/// -1, 0 or 1: the sign of `q` (gmp.h: `mpq_sgn` macro).
static inline int cgmp_mpq_sgn(const __mpq_struct *q) { return mpq_sgn(q); }

/// The numerator of `q`, which carries the sign (gmp.h: `mpq_numref` macro).
static inline __mpz_struct *cgmp_mpq_numref(__mpq_struct *q) { return mpq_numref(q); }

/// The denominator of `q`, always positive (gmp.h: `mpq_denref` macro).
static inline __mpz_struct *cgmp_mpq_denref(__mpq_struct *q) { return mpq_denref(q); }

/// Read-only numerator of `q`.
static inline const __mpz_struct *cgmp_mpq_numref_const(const __mpq_struct *q) { return mpq_numref(q); }

/// Read-only denominator of `q`.
static inline const __mpz_struct *cgmp_mpq_denref_const(const __mpq_struct *q) { return mpq_denref(q); }

/// Compares `q` with n/d for a signed n and unsigned d > 0 (gmp.h: `mpq_cmp_si` macro).
static inline int cgmp_mpq_cmp_si(const __mpq_struct *q, long n, unsigned long d) { return mpq_cmp_si(q, n, d); }

/// The GMP version string the program runs against (`gmp_version`).
static inline const char *cgmp_version(void) { return gmp_version; }

#endif
