/* SPDX-License-Identifier: MIT */
/*
 * libcramfs: read, check and extract cramfs images (all variants: both byte
 * orders, boot pad, holes, shifted root, extended block pointers / XIP,
 * legacy sticky-bit Linear XIP).  Umbrella header.
 */
#ifndef CRAMFS_CRAMFS_H
#define CRAMFS_CRAMFS_H

#include "diag.h"
#include "format.h"
#include "reader.h"
#include "check.h"
#include "build.h"

#define CRAMFS_VERSION_STRING "0.1.0"

#endif /* CRAMFS_CRAMFS_H */
