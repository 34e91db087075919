#!/bin/bash
# arm-virt-gup.sh - nor-gup.sh on 32-bit ARM: QEMU virt (Cortex-A15, 2
# CPUs, no LPAE: no pte_special, no lockless get_user_pages_fast(); the
# flash has no struct page, pfn_valid() is false for it), the patched
# arm-small kernel, the Intel chip of bank 1 (256 KiB erase blocks).  The
# same probes and verdicts as on x86 (nor-gup.sh's header): no flash page
# of an XIP mapping can be pinned, idle and during an erase that unmapped
# the pages or mapped copies.
NOR_GUP_BOARD=virt exec bash "$(dirname "${BASH_SOURCE[0]}")/nor-gup.sh"
