/*
 * The nightly run's configuration (settle-config(5)): YAML with paths
 * relative to the configuration file.
 */
#ifndef SETTLE_CONFIG_H
#define SETTLE_CONFIG_H

#include <stdint.h>

#include "dialect.h"
#include "error.h"

#define SETTLE_MAX_OPS 8
#define SETTLE_MAX_TIERS 8
#define SETTLE_PATH 1024

struct settle_tier {
	int64_t upto;		/* upper bound in poisha; -1: none (last) */
	int bps;
};

struct settle_opconf {
	char code[16];
	char schema[SETTLE_PATH];
	char pattern[128];
	struct settle_dialect dialect;
	struct settle_tier tiers[SETTLE_MAX_TIERS];
	int ntiers;
};

struct settle_config {
	char path[SETTLE_PATH];
	char inbox[SETTLE_PATH], outbox[SETTLE_PATH], state[SETTLE_PATH];
	char signing_key[SETTLE_PATH];
	char passphrase_file[SETTLE_PATH];	/* "" when the key is plain */
	int window_hours;
	int dedup_days;
	int64_t cap;
	int dcb_fee_bps;
	struct settle_opconf ops[SETTLE_MAX_OPS];	/* sorted by code */
	int nops;
	char bpo_pattern[128], ecab_pattern[128];
};

/*
 * Load and check path.  Returns 0, SETTLE_ENOINPUT (no such file) or
 * SETTLE_ECONFIG with err naming the file, line and key.
 */
int settle_config_load(struct settle_config *c, const char *path,
    struct settle_err *err);

/* The index of an operator code, or -1. */
int settle_config_op(const struct settle_config *c, const char *code,
    size_t len);

#endif
