#ifndef EXPLAINCERT_CBLAS_SHIM_H
#define EXPLAINCERT_CBLAS_SHIM_H
#include <cblas.h>
#include <string.h>

/// Whether this processor can run the kernel OpenBLAS chose. `OPENBLAS_CORETYPE` forces a kernel
/// by name without asking the processor: SkylakeX on a processor without AVX-512 dies of an
/// illegal instruction at its first product. Unknown names count as runnable.
static inline int explaincert_openblas_kernel_runs(void) {
  const char *core = openblas_get_corename();
  if (core == NULL) return 1;
  char name[32] = {0};  // lower case: OpenBLAS names its cores "SkylakeX", "Haswell", ...
  for (size_t i = 0; core[i] != 0 && i + 1 < sizeof name; i++) {
    name[i] = (core[i] >= 'A' && core[i] <= 'Z') ? (char)(core[i] - 'A' + 'a') : core[i];
  }
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (strstr(name, "skylakex") || strstr(name, "cooperlake") || strstr(name, "sapphirerapids")) {
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq")
        && __builtin_cpu_supports("avx512vl");
  }
  if (strstr(name, "haswell") || strstr(name, "zen")) return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (strstr(name, "sandybridge")) return __builtin_cpu_supports("avx");
#endif
  return 1;
}
#endif
