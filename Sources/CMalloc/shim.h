#ifndef EXPLAINCERT_CMALLOC_SHIM_H
#define EXPLAINCERT_CMALLOC_SHIM_H
#include <malloc.h>
#endif
