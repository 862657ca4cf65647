#ifndef EXPLAINCERT_CBLAS_SHIM_H
#define EXPLAINCERT_CBLAS_SHIM_H
#include <cblas.h>
#endif
