/*
 * YAML to a plain tree, built from libyaml's event stream.  Schemas and the
 * configuration are a few hundred bytes, so a tree is simpler than walking
 * events at every look-up.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "yamltree.h"

#define YT_MAX_DEPTH 32
#define YT_MAX_ITEMS 4096

static struct yt_node *
node_new(enum yt_kind kind, long line)
{
	struct yt_node *n = calloc(1, sizeof(*n));

	if (n != NULL) {
		n->kind = kind;
		n->line = line;
	}
	return n;
}

void
yt_free(struct yt_node *n)
{
	size_t i;

	if (n == NULL)
		return;
	for (i = 0; i < n->n; i++) {
		if (n->keys != NULL)
			free(n->keys[i]);
		yt_free(n->items[i]);
	}
	free(n->keys);
	free(n->items);
	free(n->value);
	free(n);
}

static int
node_add(struct yt_node *parent, char *key, struct yt_node *child)
{
	struct yt_node **items;
	char **keys;

	if (parent->n >= YT_MAX_ITEMS)
		return -1;
	items = realloc(parent->items, (parent->n + 1) * sizeof(*items));
	if (items == NULL)
		return -1;
	parent->items = items;
	if (parent->kind == YT_MAP) {
		keys = realloc(parent->keys, (parent->n + 1) * sizeof(*keys));
		if (keys == NULL)
			return -1;
		parent->keys = keys;
		keys[parent->n] = key;
	}
	items[parent->n++] = child;
	return 0;
}

struct builder {
	const char *path;
	struct yt_node *stack[YT_MAX_DEPTH];
	char *pending_key[YT_MAX_DEPTH];
	int depth;
	struct yt_node *root;
	int documents;
	struct settle_err *err;
};

/* Attach a finished node to its parent (or make it the root). */
static int
attach(struct builder *b, struct yt_node *n, long line)
{
	struct yt_node *top;
	char *key;

	if (b->depth == 0) {
		b->root = n;
		return 0;
	}
	top = b->stack[b->depth - 1];
	if (top->kind == YT_SEQ) {
		if (node_add(top, NULL, n) == 0)
			return 0;
		yt_free(n);
		return settle_err_set(b->err, SETTLE_ECONFIG, b->path, line,
		    NULL, "too many items");
	}
	if (b->pending_key[b->depth - 1] == NULL) {
		if (n->kind != YT_SCALAR) {
			yt_free(n);
			return settle_err_set(b->err, SETTLE_ECONFIG, b->path,
			    line, NULL, "a mapping key must be a scalar");
		}
		b->pending_key[b->depth - 1] = n->value;
		n->value = NULL;
		yt_free(n);
		return 0;
	}
	key = b->pending_key[b->depth - 1];
	b->pending_key[b->depth - 1] = NULL;
	if (yt_get(top, key) != NULL) {
		settle_err_set(b->err, SETTLE_ECONFIG, b->path, line, key,
		    "duplicate key");
		free(key);
		yt_free(n);
		return SETTLE_ECONFIG;
	}
	if (node_add(top, key, n) < 0) {
		free(key);
		yt_free(n);
		return settle_err_set(b->err, SETTLE_ECONFIG, b->path, line,
		    NULL, "too many items");
	}
	return 0;
}

static int
on_event(struct builder *b, const yaml_event_t *ev)
{
	long line = (long)ev->start_mark.line + 1;
	struct yt_node *n;

	if ((ev->type == YAML_SCALAR_EVENT && (ev->data.scalar.anchor != NULL ||
	    (ev->data.scalar.tag != NULL && !ev->data.scalar.plain_implicit &&
	    !ev->data.scalar.quoted_implicit))) ||
	    (ev->type == YAML_SEQUENCE_START_EVENT &&
	    (ev->data.sequence_start.anchor != NULL ||
	    ev->data.sequence_start.tag != NULL)) ||
	    (ev->type == YAML_MAPPING_START_EVENT &&
	    (ev->data.mapping_start.anchor != NULL ||
	    ev->data.mapping_start.tag != NULL)))
		return settle_err_set(b->err, SETTLE_ECONFIG, b->path, line,
		    NULL, "anchors and tags are not supported");
	if (ev->type == YAML_DOCUMENT_START_EVENT && b->documents++ > 0)
		return settle_err_set(b->err, SETTLE_ECONFIG, b->path, line,
		    NULL, "only one YAML document is allowed");
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		n = node_new(YT_SCALAR, line);
		if (n == NULL || (n->value = strdup((const char *)
		    ev->data.scalar.value)) == NULL) {
			yt_free(n);
			return settle_err_set(b->err, SETTLE_ENOMEM, b->path,
			    line, NULL, "out of memory");
		}
		n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		return attach(b, n, line);
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		if (b->depth >= YT_MAX_DEPTH)
			return settle_err_set(b->err, SETTLE_ECONFIG, b->path,
			    line, NULL, "nesting too deep");
		n = node_new(ev->type == YAML_SEQUENCE_START_EVENT ? YT_SEQ :
		    YT_MAP, line);
		if (n == NULL)
			return settle_err_set(b->err, SETTLE_ENOMEM, b->path,
			    line, NULL, "out of memory");
		b->pending_key[b->depth] = NULL;
		b->stack[b->depth++] = n;
		return 0;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		n = b->stack[--b->depth];
		free(b->pending_key[b->depth]);
		b->pending_key[b->depth] = NULL;
		return attach(b, n, n->line);
	case YAML_ALIAS_EVENT:
		return settle_err_set(b->err, SETTLE_ECONFIG, b->path, line,
		    NULL, "aliases are not supported");
	default:
		return 0;
	}
}

struct yt_node *
yt_load(const char *path, struct settle_err *err)
{
	struct builder b;
	yaml_parser_t p;
	yaml_event_t ev;
	FILE *f;
	int done = 0, rc = 0;

	memset(&b, 0, sizeof(b));
	b.path = path;
	b.err = err;
	f = fopen(path, "rb");
	if (f == NULL) {
		settle_err_set(err, errno == ENOENT ? SETTLE_ENOINPUT :
		    SETTLE_ECONFIG, path, 0, NULL, "cannot open: %s",
		    strerror(errno));
		return NULL;
	}
	yaml_parser_initialize(&p);
	yaml_parser_set_input_file(&p, f);
	while (!done && rc == 0) {
		if (!yaml_parser_parse(&p, &ev)) {
			rc = settle_err_set(err, SETTLE_ECONFIG, path,
			    (long)p.problem_mark.line + 1, NULL,
			    "not valid YAML: %s", p.problem ? p.problem :
			    "parse error");
			break;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		rc = on_event(&b, &ev);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	fclose(f);
	while (b.depth > 0) {
		b.depth--;
		free(b.pending_key[b.depth]);
		yt_free(b.stack[b.depth]);
	}
	if (rc == 0 && (b.root == NULL || b.root->kind != YT_MAP))
		rc = settle_err_set(err, SETTLE_ECONFIG, path, 1, NULL,
		    "expected a mapping at the top");
	if (rc != 0) {
		yt_free(b.root);
		return NULL;
	}
	return b.root;
}

const struct yt_node *
yt_get(const struct yt_node *map, const char *key)
{
	size_t i;

	if (map == NULL || map->kind != YT_MAP)
		return NULL;
	for (i = 0; i < map->n; i++)
		if (strcmp(map->keys[i], key) == 0)
			return map->items[i];
	return NULL;
}

const char *
yt_str(const struct yt_node *n)
{
	return n != NULL && n->kind == YT_SCALAR ? n->value : NULL;
}

int
yt_int(const struct yt_node *n, long long *out)
{
	const char *s = yt_str(n);
	char *end;
	long long v;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = v;
	return 0;
}
