/* SPDX-License-Identifier: MIT */
/*
 * specimg: test-only cramfs writer, implemented from docs/format.md.
 *
 * Layout (format.md §2): [pad][super][blob][dir lists][data items][tail].
 * Directory lists are laid out root first, then depth-first pre-order
 * (§5.4); data items in node/subtree/next-sibling order (§6.1).  Records are
 * encoded only after everything is placed, because a directory's entries
 * need the offsets of data that comes after them.
 */
#include "specimg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define SUPER_SIZE	76u
#define PAD_SIZE	512u
#define MAGIC		0x28CD3D45u
#define MAX_NAME	252u
#define PTR_UNCOMP	0x80000000u
#define PTR_DIRECT	0x40000000u

#define S_TYPE		0170000u
#define S_DIR		0040000u
#define S_REG		0100000u
#define S_LNK		0120000u
#define S_CHR		0020000u
#define S_BLK		0060000u
#define S_STICKY	0001000u

/* Builder state while an image is being laid out. */
struct bld {
	struct spec_image *im;
	uint8_t *p;
	size_t len, cap;
	uint32_t bs;
	bool holes, ext;
	uint32_t blocks;
};

/* Where the next non-direct block of a file starts (format.md §7.2). */
struct chain {
	uint64_t table;
	uint64_t next_start;
};

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

static uint32_t name_padded(size_t len)
{
	return (uint32_t)((len + 3u) & ~(size_t)3u);
}

static bool is_type(uint32_t mode, uint32_t t)
{
	return (mode & S_TYPE) == t;
}

static bool has_data(const struct spec_node *n)
{
	return is_type(n->mode, S_REG) || is_type(n->mode, S_LNK);
}

/* ---- byte buffer -------------------------------------------------------- */

/* Make the buffer at least `need` bytes long; new bytes are zero. */
static int bld_grow(struct bld *b, size_t need)
{
	if (need > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < need)
			cap *= 2;
		uint8_t *p = realloc(b->p, cap);
		if (!p)
			return -ENOMEM;
		memset(p + b->cap, 0, cap - b->cap);
		b->p = p;
		b->cap = cap;
	}
	if (need > b->len)
		b->len = need;
	return 0;
}

static int bld_append(struct bld *b, const void *src, size_t n)
{
	size_t at = b->len;
	int rc = bld_grow(b, at + n);
	if (rc == 0 && n)
		memcpy(b->p + at, src, n);
	return rc;
}

static void put16(uint8_t *p, uint16_t v, enum spec_endian e)
{
	p[e == SPEC_LE ? 0 : 1] = (uint8_t)v;
	p[e == SPEC_LE ? 1 : 0] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v, enum spec_endian e)
{
	for (int i = 0; i < 4; i++)
		p[e == SPEC_LE ? i : 3 - i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p, enum spec_endian e)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++)
		v |= (uint32_t)p[e == SPEC_LE ? i : 3 - i] << (8 * i);
	return v;
}

/* ---- tree --------------------------------------------------------------- */

static int push_ptr(void ***arr, size_t *n, size_t *cap, void *v)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 8;
		void **a = realloc(*arr, c * sizeof(*a));
		if (!a)
			return -ENOMEM;
		*arr = a;
		*cap = c;
	}
	(*arr)[(*n)++] = v;
	return 0;
}

static char *join_path(const struct spec_node *dir, const char *name)
{
	size_t dl = strlen(dir->path), nl = strlen(name);
	char *p = malloc(dl + nl + 2);
	if (!p)
		return NULL;
	if (dl)
		memcpy(p, dir->path, dl);
	if (dl)
		p[dl++] = '/';
	memcpy(p + dl, name, nl + 1);
	return p;
}

static void node_free(struct spec_node *n)
{
	if (!n)
		return;
	free(n->name);
	free(n->path);
	free(n->data);
	free(n->encs);
	free(n->kids);
	free(n);
}

static int node_link(struct spec_image *im, struct spec_node *dir,
		     struct spec_node *n)
{
	if (push_ptr((void ***)&im->all, &im->nall, &im->capall, n))
		return -ENOMEM;
	if (!dir)
		return 0;
	n->parent = dir;
	return push_ptr((void ***)&dir->kids, &dir->nkids, &dir->capkids, n);
}

static struct spec_node *node_new(struct spec_image *im, struct spec_node *dir,
				  const char *name, uint16_t mode)
{
	struct spec_node *n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->mode = mode;
	n->name = strdup(name);
	n->path = dir ? join_path(dir, name) : strdup("");
	if (!n->name || !n->path || node_link(im, dir, n)) {
		node_free(n);
		return NULL;
	}
	return n;
}

struct spec_image *spec_new(const struct spec_opts *opts)
{
	struct spec_image *im = calloc(1, sizeof(*im));
	if (!im)
		return NULL;
	if (opts)
		im->o = *opts;
	if (!im->o.block_size)
		im->o.block_size = 4096;
	if (!im->o.level)
		im->o.level = 9;
	im->root = node_new(im, NULL, "", S_DIR | 0755);
	if (!im->root) {
		free(im);
		return NULL;
	}
	return im;
}

void spec_free(struct spec_image *im)
{
	if (!im)
		return;
	for (size_t i = 0; i < im->nall; i++)
		node_free(im->all[i]);
	free(im->all);
	free(im->buf);
	free(im);
}

struct spec_node *spec_root(struct spec_image *im)
{
	return im->root;
}

static int node_set_data(struct spec_node *n, const void *data, size_t len)
{
	free(n->data);
	n->data = malloc(len ? len : 1);
	if (!n->data)
		return -ENOMEM;
	if (len)
		memcpy(n->data, data, len);
	n->len = len;
	return 0;
}

struct spec_node *spec_add_dir(struct spec_image *im, struct spec_node *dir,
			       const char *name, uint16_t perm)
{
	return node_new(im, dir, name, (uint16_t)(S_DIR | (perm & 07777)));
}

struct spec_node *spec_add_file(struct spec_image *im, struct spec_node *dir,
				const char *name, uint16_t perm,
				const void *data, size_t len)
{
	struct spec_node *n = node_new(im, dir, name,
				       (uint16_t)(S_REG | (perm & 07777)));
	if (n && node_set_data(n, data, len))
		return NULL;	/* n stays owned by the image */
	return n;
}

struct spec_node *spec_add_symlink(struct spec_image *im,
				   struct spec_node *dir, const char *name,
				   const char *target)
{
	struct spec_node *n = node_new(im, dir, name, S_LNK | 0777);
	if (n && node_set_data(n, target, strlen(target)))
		return NULL;
	return n;
}

struct spec_node *spec_add_node(struct spec_image *im, struct spec_node *dir,
				const char *name, uint16_t mode, uint32_t rdev)
{
	struct spec_node *n = node_new(im, dir, name, mode);
	if (n)
		n->rdev = rdev & 0xFFFFFFu;
	return n;
}

int spec_set_encs(struct spec_node *n, const enum spec_enc *encs, size_t cnt)
{
	enum spec_enc *e = malloc((cnt ? cnt : 1) * sizeof(*e));
	if (!e)
		return -ENOMEM;
	memcpy(e, encs, cnt * sizeof(*e));
	free(n->encs);
	n->encs = e;
	n->nencs = cnt;
	return 0;
}

int spec_set_enc(struct spec_node *n, enum spec_enc enc)
{
	return spec_set_encs(n, &enc, 1);
}

void spec_set_legacy_xip(struct spec_node *n)
{
	n->legacy_xip = true;
	n->mode |= S_STICKY;
}

void spec_set_owner(struct spec_node *n, uint16_t uid, uint8_t gid)
{
	n->uid = uid;
	n->gid = gid;
}

void spec_share_data(struct spec_node *n, struct spec_node *orig)
{
	n->share = orig;
	node_set_data(n, orig->data, orig->len);
}

struct spec_node *spec_find(struct spec_image *im, const char *path)
{
	for (size_t i = 0; i < im->nall; i++)
		if (strcmp(im->all[i]->path, path) == 0)
			return im->all[i];
	return NULL;
}

/* ---- layout: directories ------------------------------------------------ */

/* Stable insertion sort by strcmp(): unsigned bytewise order (§5.3). */
static void sort_kids(struct spec_node *d)
{
	for (size_t i = 1; i < d->nkids; i++) {
		struct spec_node *k = d->kids[i];
		size_t j = i;
		while (j > 0 && strcmp(d->kids[j - 1]->name, k->name) > 0) {
			d->kids[j] = d->kids[j - 1];
			j--;
		}
		d->kids[j] = k;
	}
}

static int prepare_dirs(struct spec_image *im)
{
	for (size_t i = 0; i < im->nall; i++) {
		struct spec_node *d = im->all[i];
		size_t nl = strlen(d->name);
		if (d != im->root && (nl == 0 || nl > MAX_NAME))
			return -EINVAL;
		if (!is_type(d->mode, S_DIR))
			continue;
		if (!d->unsorted)
			sort_kids(d);
		d->size = 0;
		for (size_t k = 0; k < d->nkids; k++)
			d->size += 12 + name_padded(strlen(d->kids[k]->name));
	}
	return 0;
}

/* Each non-empty directory's list is placed when the walk reaches it. */
static int place_lists(struct bld *b, struct spec_node *d)
{
	for (size_t i = 0; i < d->nkids; i++) {
		struct spec_node *k = d->kids[i];
		int rc = 0;
		if (!is_type(k->mode, S_DIR))
			continue;
		k->offset = 0;
		if (k->size) {
			k->offset = (uint32_t)b->len;
			rc = bld_grow(b, b->len + k->size);
		}
		if (rc == 0)
			rc = place_lists(b, k);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- layout: file data -------------------------------------------------- */

static enum spec_enc enc_of(const struct spec_node *n, uint32_t i)
{
	if (!n->encs)
		return SPEC_ENC_ZLIB;
	if (n->nencs == 1)
		return n->encs[0];
	return i < n->nencs ? n->encs[i] : SPEC_ENC_ZLIB;
}

static int put_zlib(struct bld *b, const uint8_t *src, size_t cnt,
		    uLongf *clen)
{
	uLongf cap = compressBound(cnt);
	uint8_t *tmp = malloc(cap);
	if (!tmp)
		return -ENOMEM;
	int zrc = compress2(tmp, &cap, src, cnt, b->im->o.level);
	int rc = zrc == Z_OK ? bld_append(b, tmp, cap) : -EINVAL;
	free(tmp);
	*clen = cap;
	return rc;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* A non-direct block: must start exactly where the chain says (§7.2). */
static int block_chained(struct bld *b, struct chain *c, enum spec_enc e,
			 const uint8_t *src, size_t cnt, uint32_t *ptr)
{
	uLongf clen = cnt;
	int rc = 0;

	if (b->len != c->next_start)
		return -EINVAL;
	if (e == SPEC_ENC_HOLE) {
		if (!all_zero(src, cnt))
			return -EINVAL;
		b->holes = true;
	} else if (e == SPEC_ENC_RAW) {
		rc = bld_append(b, src, cnt);
		b->ext = true;
	} else {
		rc = put_zlib(b, src, cnt, &clen);
	}
	c->next_start = b->len;
	*ptr = (uint32_t)b->len | (e == SPEC_ENC_RAW ? PTR_UNCOMP : 0);
	return rc;
}

/* A direct block: placed at an aligned start recorded in the pointer. */
static int block_direct(struct bld *b, struct chain *c, enum spec_enc e,
			const uint8_t *src, size_t cnt, uint32_t *ptr)
{
	uint32_t align = e == SPEC_ENC_DIRECT_RAW ? b->bs : 4;
	uint64_t start = align_up(b->len, align);
	uLongf clen = 0;
	int rc = bld_grow(b, start);

	b->ext = true;
	if (rc == 0 && e == SPEC_ENC_DIRECT_RAW) {
		rc = bld_append(b, src, cnt);
		c->next_start = start + b->bs;
		/* zero tail up to the page end keeps the last page mappable */
		if (rc == 0 && !b->im->o.no_tail_pad)
			rc = bld_grow(b, start + b->bs);
	} else if (rc == 0) {
		rc = bld_grow(b, start + 2);
		if (rc == 0)
			rc = put_zlib(b, src, cnt, &clen);
		if (rc == 0 && clen > 0xFFFF)
			rc = -EINVAL;
		if (rc == 0)
			put16(b->p + start, (uint16_t)clen, b->im->o.endian);
		c->next_start = start + 2 + clen;
	}
	*ptr = PTR_DIRECT | (uint32_t)(start >> 2) |
	       (e == SPEC_ENC_DIRECT_RAW ? PTR_UNCOMP : 0);
	return rc;
}

static int write_block(struct bld *b, struct chain *c, struct spec_node *n,
		       uint32_t i)
{
	size_t at = (size_t)i * b->bs;
	size_t cnt = n->len - at < b->bs ? n->len - at : b->bs;
	enum spec_enc e = enc_of(n, i);
	uint32_t ptr;
	int rc;

	if (e == SPEC_ENC_DIRECT_ZLIB || e == SPEC_ENC_DIRECT_RAW)
		rc = block_direct(b, c, e, n->data + at, cnt, &ptr);
	else
		rc = block_chained(b, c, e, n->data + at, cnt, &ptr);
	/* test images stay far below 2^30 bytes, so the low 30 bits hold */
	if (rc == 0)
		put32(b->p + c->table + 4u * i, ptr, b->im->o.endian);
	return rc;
}

/* §9.2: offset at the current position, whole file raw at a page. */
static int write_legacy(struct bld *b, struct spec_node *n)
{
	int rc = bld_grow(b, align_up(b->len, b->bs));

	if (rc == 0)
		rc = bld_append(b, n->data, n->len);
	if (rc == 0)
		rc = bld_grow(b, align_up(b->len,
				 b->im->o.no_tail_pad ? 4 : b->bs));
	return rc;
}

static int write_item(struct bld *b, struct spec_node *n)
{
	struct chain c;
	int rc = 0;

	n->size = (uint32_t)n->len;
	n->offset = 0;
	n->nblocks = 0;
	if (n->share || n->len == 0)
		return 0;
	if (n->len > 0xFFFFFFu)
		return -EINVAL;
	n->offset = (uint32_t)b->len;
	if (n->legacy_xip)
		return write_legacy(b, n);
	n->nblocks = (uint32_t)((n->len + b->bs - 1) / b->bs);
	c.table = b->len;
	rc = bld_grow(b, b->len + 4u * n->nblocks);
	c.next_start = b->len;
	for (uint32_t i = 0; rc == 0 && i < n->nblocks; i++)
		rc = write_block(b, &c, n, i);
	b->blocks += n->nblocks;
	return rc ? rc : bld_grow(b, align_up(b->len, 4));
}

static int place_data(struct bld *b, struct spec_node *d)
{
	for (size_t i = 0; i < d->nkids; i++) {
		struct spec_node *k = d->kids[i];
		int rc = 0;
		if (has_data(k))
			rc = write_item(b, k);
		else if (is_type(k->mode, S_DIR))
			rc = place_data(b, k);
		if (rc)
			return rc;
	}
	return 0;
}

static void resolve_shares(struct spec_image *im)
{
	for (size_t i = 0; i < im->nall; i++) {
		struct spec_node *n = im->all[i], *o = n->share;
		while (o && o->share)
			o = o->share;
		if (o) {
			n->offset = o->offset;
			n->size = o->size;
		}
	}
}

/* ---- encoding ----------------------------------------------------------- */

void spec_inode_encode(const struct spec_inode *in, enum spec_endian e,
		       uint8_t r[12])
{
	uint32_t size = in->size & 0xFFFFFFu, w;

	put16(r, (uint16_t)in->mode, e);
	put16(r + 2, (uint16_t)in->uid, e);
	r[4] = (uint8_t)(e == SPEC_LE ? size : size >> 16);
	r[5] = (uint8_t)(size >> 8);
	r[6] = (uint8_t)(e == SPEC_LE ? size >> 16 : size);
	r[7] = (uint8_t)in->gid;
	if (e == SPEC_LE)
		w = (in->namelen & 0x3Fu) | (in->offset << 6);
	else
		w = (in->namelen << 26) | (in->offset & 0x3FFFFFFu);
	put32(r + 8, w, e);
}

static void inode_decode(const uint8_t *r, enum spec_endian e,
			 struct spec_inode *out)
{
	uint32_t w = get32(r + 8, e);

	out->mode = e == SPEC_LE ? r[0] | r[1] << 8 : r[1] | r[0] << 8;
	out->uid = e == SPEC_LE ? r[2] | r[3] << 8 : r[3] | r[2] << 8;
	if (e == SPEC_LE)
		out->size = r[4] | r[5] << 8 | (uint32_t)r[6] << 16;
	else
		out->size = r[6] | r[5] << 8 | (uint32_t)r[4] << 16;
	out->gid = r[7];
	out->namelen = e == SPEC_LE ? w & 0x3Fu : w >> 26;
	out->offset = e == SPEC_LE ? w >> 6 : w & 0x3FFFFFFu;
}

static int node_inode(const struct spec_node *n, struct spec_inode *out)
{
	out->mode = n->mode;
	out->uid = n->uid;
	out->gid = n->gid;
	out->namelen = name_padded(strlen(n->name)) / 4;
	out->offset = n->offset / 4;
	out->size = n->size;
	if (is_type(n->mode, S_CHR) || is_type(n->mode, S_BLK))
		out->size = n->rdev;
	else if (!is_type(n->mode, S_DIR) && !has_data(n))
		out->size = 0;
	if (n->offset % 4 || n->offset / 4 > 0x3FFFFFFu)
		return -EINVAL;
	return 0;
}

static int encode_list(struct bld *b, struct spec_node *d)
{
	uint64_t off = d->offset;
	struct spec_inode ino;

	for (size_t i = 0; i < d->nkids; i++) {
		struct spec_node *k = d->kids[i];
		size_t nl = strlen(k->name);
		if (node_inode(k, &ino))
			return -EINVAL;
		k->entry_off = off;
		spec_inode_encode(&ino, b->im->o.endian, b->p + off);
		memcpy(b->p + off + 12, k->name, nl);
		off += 12 + name_padded(nl);
	}
	return 0;
}

static void encode_super(struct bld *b, struct spec_inode *root)
{
	struct spec_image *im = b->im;
	uint8_t *s = b->p + im->start;
	enum spec_endian e = im->o.endian;
	const char *label = im->o.label ? im->o.label : "Compressed";
	size_t ll = strlen(label);

	put32(s, MAGIC, e);
	put32(s + 4, (uint32_t)b->len, e);
	put32(s + 8, im->flags, e);
	put32(s + 12, 0, e);
	memcpy(s + 16, "Compressed ROMFS", 16);
	put32(s + 32, 0, e);
	put32(s + 36, im->o.edition, e);
	put32(s + 40, im->blocks, e);
	put32(s + 44, im->files, e);
	memset(s + 48, 0, 16);
	memcpy(s + 48, label, ll < 16 ? ll : 16);
	spec_inode_encode(root, e, s + 64);
}

static int encode_all(struct bld *b)
{
	struct spec_image *im = b->im;
	struct spec_inode root;

	for (size_t i = 0; i < im->nall; i++) {
		struct spec_node *d = im->all[i];
		if (is_type(d->mode, S_DIR) && encode_list(b, d))
			return -EINVAL;
	}
	if (node_inode(im->root, &root))
		return -EINVAL;
	im->root->entry_off = im->start + 64;
	im->files = (uint32_t)im->nall;
	im->blocks = b->blocks;
	im->flags = 0x3u | im->o.extra_flags;
	if (b->holes)
		im->flags |= 0x100u;
	if (im->o.blob_len)
		im->flags |= 0x400u;
	if (b->ext)
		im->flags |= 0x800u;
	encode_super(b, &root);
	return 0;
}

/* ---- spec_build ---------------------------------------------------------- */

static int build_head(struct bld *b)
{
	struct spec_image *im = b->im;
	struct spec_node *r = im->root;
	int rc;

	im->start = im->o.pad ? PAD_SIZE : 0;
	rc = bld_grow(b, im->start + SUPER_SIZE);
	if (rc == 0 && im->o.blob_len)
		rc = bld_append(b, im->o.blob, im->o.blob_len);
	if (rc == 0)
		rc = bld_grow(b, align_up(b->len, 4));
	if (rc)
		return rc;
	r->offset = (uint32_t)b->len;
	rc = bld_grow(b, b->len + r->size);
	return rc ? rc : place_lists(b, r);
}

int spec_build(struct spec_image *im)
{
	struct bld b = { .im = im, .bs = im->o.block_size };
	int rc = prepare_dirs(im);

	if (rc == 0)
		rc = build_head(&b);
	if (rc == 0)
		rc = place_data(&b, im->root);
	resolve_shares(im);
	if (rc == 0)
		rc = bld_grow(&b, align_up(b.len, im->o.no_tail_pad ? 4 : b.bs));
	if (rc == 0)
		rc = encode_all(&b);
	if (rc) {
		free(b.p);
		return rc;
	}
	free(im->buf);
	im->buf = b.p;
	im->len = b.len;
	spec_fix_crc(im);
	return 0;
}

/* ---- post-editing ------------------------------------------------------- */

uint16_t spec_get16(const struct spec_image *im, uint64_t off)
{
	const uint8_t *p = im->buf + off;
	return im->o.endian == SPEC_LE ? (uint16_t)(p[0] | p[1] << 8)
				       : (uint16_t)(p[1] | p[0] << 8);
}

uint32_t spec_get32(const struct spec_image *im, uint64_t off)
{
	return get32(im->buf + off, im->o.endian);
}

void spec_put16(struct spec_image *im, uint64_t off, uint16_t v)
{
	put16(im->buf + off, v, im->o.endian);
}

void spec_put32(struct spec_image *im, uint64_t off, uint32_t v)
{
	put32(im->buf + off, v, im->o.endian);
}

void spec_inode_read(const struct spec_image *im, uint64_t off,
		     struct spec_inode *out)
{
	inode_decode(im->buf + off, im->o.endian, out);
}

void spec_inode_write(struct spec_image *im, uint64_t off,
		      const struct spec_inode *in)
{
	spec_inode_encode(in, im->o.endian, im->buf + off);
}

uint64_t spec_super_off(const struct spec_image *im, uint32_t field)
{
	return (uint64_t)im->start + field;
}

/* CRC-32 over [start, size) with the CRC field as zero (format.md §3.3). */
uint32_t spec_fix_crc(struct spec_image *im)
{
	uint64_t size = spec_get32(im, spec_super_off(im, 4));
	uLong crc;

	if (size > im->len || size < im->start + SUPER_SIZE)
		size = im->len;
	spec_put32(im, spec_super_off(im, 32), 0);
	crc = crc32(0L, im->buf + im->start, (uInt)(size - im->start));
	spec_put32(im, spec_super_off(im, 32), (uint32_t)crc);
	im->crc = (uint32_t)crc;
	return im->crc;
}
