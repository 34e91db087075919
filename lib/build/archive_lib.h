/* SPDX-License-Identifier: MIT */
/*
 * libarchive, loaded when the first archive is read (archive_lib.c).
 * Linked normally, libarchive and the thirteen libraries it pulls in
 * (OpenSSL's libcrypto, libxml2, every compressor) were mapped into every
 * run of every tool: 3.5 MiB more peak RSS for `cramfs ls` or a build
 * from a directory, which never reads an archive.  The archive code calls
 * libarchive through these pointers, typed from <archive.h> itself, so a
 * prototype cannot drift; the macros below keep its calls spelled as
 * libarchive's documentation spells them.
 */
#ifndef CRAMFS_LIB_BUILD_ARCHIVE_LIB_H
#define CRAMFS_LIB_BUILD_ARCHIVE_LIB_H

#include <archive.h>
#include <archive_entry.h>

#define ARLIB_FUNCS(X) \
	X(archive_read_new) X(archive_read_free) \
	X(archive_read_support_filter_all) X(archive_read_support_format_tar) \
	X(archive_read_support_format_gnutar) \
	X(archive_read_support_format_cpio) X(archive_read_open_fd) \
	X(archive_read_next_header) X(archive_read_data_block) \
	X(archive_error_string) X(archive_errno) X(archive_filter_count) \
	X(archive_filter_name) X(archive_entry_pathname) \
	X(archive_entry_hardlink) X(archive_entry_symlink) \
	X(archive_entry_size) X(archive_entry_size_is_set) \
	X(archive_entry_filetype) X(archive_entry_perm) X(archive_entry_uid) \
	X(archive_entry_gid) X(archive_entry_rdevmajor) \
	X(archive_entry_rdevminor) X(archive_entry_xattr_count) \
	X(archive_entry_acl_count)

struct arlib {
#define ARLIB_FIELD(f) __typeof__(f) *f;
	ARLIB_FUNCS(ARLIB_FIELD)
#undef ARLIB_FIELD
};

extern struct arlib arlib;

/*
 * Load libarchive once (thread-safe).  0, or -ELIBACC when it is missing
 * or lacks a function; then `why` says which, for the error message.
 */
int arlib_load(const char **why);

/* From here on, archive_*() goes through the loaded library. */
#ifndef ARLIB_NO_REDIRECT
#define archive_read_new (*arlib.archive_read_new)
#define archive_read_free (*arlib.archive_read_free)
#define archive_read_support_filter_all (*arlib.archive_read_support_filter_all)
#define archive_read_support_format_tar (*arlib.archive_read_support_format_tar)
#define archive_read_support_format_gnutar (*arlib.archive_read_support_format_gnutar)
#define archive_read_support_format_cpio (*arlib.archive_read_support_format_cpio)
#define archive_read_open_fd (*arlib.archive_read_open_fd)
#define archive_read_next_header (*arlib.archive_read_next_header)
#define archive_read_data_block (*arlib.archive_read_data_block)
#define archive_error_string (*arlib.archive_error_string)
#define archive_errno (*arlib.archive_errno)
#define archive_filter_count (*arlib.archive_filter_count)
#define archive_filter_name (*arlib.archive_filter_name)
#define archive_entry_pathname (*arlib.archive_entry_pathname)
#define archive_entry_hardlink (*arlib.archive_entry_hardlink)
#define archive_entry_symlink (*arlib.archive_entry_symlink)
#define archive_entry_size (*arlib.archive_entry_size)
#define archive_entry_size_is_set (*arlib.archive_entry_size_is_set)
#define archive_entry_filetype (*arlib.archive_entry_filetype)
#define archive_entry_perm (*arlib.archive_entry_perm)
#define archive_entry_uid (*arlib.archive_entry_uid)
#define archive_entry_gid (*arlib.archive_entry_gid)
#define archive_entry_rdevmajor (*arlib.archive_entry_rdevmajor)
#define archive_entry_rdevminor (*arlib.archive_entry_rdevminor)
#define archive_entry_xattr_count (*arlib.archive_entry_xattr_count)
#define archive_entry_acl_count (*arlib.archive_entry_acl_count)
#endif

#endif /* CRAMFS_LIB_BUILD_ARCHIVE_LIB_H */
