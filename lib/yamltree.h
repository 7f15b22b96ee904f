/*
 * A small read-only tree over a YAML document (libyaml), used for schemas
 * and the configuration.  Only block/flow mappings, sequences and scalars;
 * anchors, aliases and tags are refused.  Every node keeps its line for
 * error messages.
 */
#ifndef SETTLE_YAMLTREE_H
#define SETTLE_YAMLTREE_H

#include <stddef.h>

#include "error.h"

enum yt_kind { YT_SCALAR, YT_MAP, YT_SEQ };

struct yt_node {
	enum yt_kind kind;
	long line;
	char *value;		/* YT_SCALAR; NUL-terminated */
	int plain;		/* scalar was unquoted */
	size_t n;		/* children (YT_SEQ) or pairs (YT_MAP) */
	char **keys;		/* YT_MAP keys */
	struct yt_node **items;	/* children */
};

/*
 * Load the document in path.  Returns the root (free with yt_free) or NULL
 * with err filled (SETTLE_ENOINPUT when the file cannot be opened,
 * SETTLE_ECONFIG when it is not valid YAML of the supported kinds).
 */
struct yt_node *yt_load(const char *path, struct settle_err *err);
void yt_free(struct yt_node *n);

/* The value of key in a mapping, or NULL. */
const struct yt_node *yt_get(const struct yt_node *map, const char *key);

/* A scalar's string, or NULL when n is NULL or not a scalar. */
const char *yt_str(const struct yt_node *n);

/*
 * Read a non-negative integer scalar into *out.  Returns 0, or -1 when the
 * node is not an integer.
 */
int yt_int(const struct yt_node *n, long long *out);

#endif
