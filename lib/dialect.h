/*
 * Operator dialects: how one operator's charge file is laid out, read from
 * a YAML schema (settle-schema(5)).  Two families are known: "header" files
 * (a header row, detail rows, a trailer row) and "records" files
 * (record-type lines H / D / T).  A fifth operator of either family needs a
 * new schema file and no code.
 */
#ifndef SETTLE_DIALECT_H
#define SETTLE_DIALECT_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

enum settle_field {
	SF_ID, SF_MSISDN, SF_AMOUNT, SF_TIME, SF_REF, SF_KIND, SF_STATUS,
	SF_COUNT
};

enum settle_layout { SL_HEADER, SL_RECORDS };
enum settle_unit { SU_TAKA, SU_POISHA };
enum settle_timefmt { ST_ISO, ST_EPOCH_MS, ST_LOCAL };

#define SD_MAXVAL 8
#define SD_VALLEN 32
#define SD_MAXCOLS 64

struct settle_valset {
	int any;			/* "*": any other non-empty value */
	int n;
	char v[SD_MAXVAL][SD_VALLEN];
};

struct settle_dialect {
	char op[16];			/* operator code, e.g. "GP" */
	char file[128];			/* default file-name pattern */
	int layout;			/* enum settle_layout */
	int gzip;
	char delim;
	int quoting;			/* 1: RFC 4180 double quotes allowed */
	char header[1024];		/* SL_HEADER: the exact header line */
	int nfields;			/* fields of a detail line */
	char colname[SD_MAXCOLS][64];	/* names for messages */
	int col[SF_COUNT];		/* field index of each canonical field */
	int time_col2;			/* second time column (date + time), or -1 */
	int amount_unit;
	int timefmt;
	char time_pattern[64];		/* ST_LOCAL */
	struct settle_valset charge, refund, success, failed;
	char detail_tag[16];		/* SL_RECORDS: "D" */
	char hdr_tag[16];		/* SL_RECORDS: "H" */
	int hdr_nfields;
	char hdr_fields[8][32];		/* literals, "{YYYYMMDD}", "{count}" */
	char trl_tag[16];		/* "TRAILER", "#EOF", "TOTAL", "T" */
	int trl_nfields, trl_count, trl_sum, trl_unit;
	int nprefixes;
	char prefixes[8][4];		/* national prefixes, "017" */
};

/* Load a schema file into d.  Returns 0 or SETTLE_ECONFIG/ENOINPUT. */
int settle_dialect_load(struct settle_dialect *d, const char *path,
    struct settle_err *err);

/* 1 when value (len bytes) is in set. */
int settle_valset_has(const struct settle_valset *s, const char *v,
    size_t len);

/* 1 when the national prefix ("017") belongs to d's operator. */
int settle_dialect_owns_prefix(const struct settle_dialect *d,
    const char *prefix);

#endif

/*
 * File-name patterns with one of {YYYYMMDD}, {YYYY-MM-DD}, {DDMMYYYY}.
 * expand writes the name for a date into out (len bytes); returns 0 or -1
 * when it does not fit.  match reads the date back from a name; returns 0,
 * or -1 when the name does not fit the pattern.
 */
int settle_pattern_expand(const char *pattern, int64_t date, char *out,
    size_t len);
int settle_pattern_match(const char *pattern, const char *name,
    int64_t *date);
