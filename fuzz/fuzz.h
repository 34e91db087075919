/* SPDX-License-Identifier: MIT */
/* The libFuzzer entry point, shared by the targets and the replay main. */
#ifndef CRAMFS_FUZZ_H
#define CRAMFS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif /* CRAMFS_FUZZ_H */
