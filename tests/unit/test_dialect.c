/*
 * Unit tests for lib/dialect: the four operator schemas in schemas/ read
 * into the fields SPEC §3 describes, schema errors with their line, and the
 * file-name patterns {YYYYMMDD}, {YYYY-MM-DD}, {DDMMYYYY}.
 *
 * Run from the repository root: schema paths are relative to it.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "dialect.h"
#include "timefmt.h"

static struct settle_dialect d;
static struct settle_err err;

static void
load_ok(const char *path)
{
	settle_err_clear(&err);
	cr_assert_eq(settle_dialect_load(&d, path, &err), 0, "%s: line %ld: "
	    "field '%s': %s", path, err.line, err.field, err.msg);
}

static void
has_values(const struct settle_valset *s, const char *const *want, size_t n)
{
	size_t i;

	cr_expect_eq(s->any, 0);
	cr_expect_eq(s->n, (int)n);
	for (i = 0; i < n; i++)
		cr_expect(settle_valset_has(s, want[i], strlen(want[i])),
		    "'%s' not in the set", want[i]);
}

Test(dialect, gp)
{
	static const char *const charge[] = { "CHARGE" };
	static const char *const refund[] = { "REFUND" };
	static const char *const success[] = { "0" };

	load_ok("schemas/gp.yaml");
	cr_expect_str_eq(d.op, "GP");
	cr_expect_str_eq(d.file, "GP_DCB_{YYYYMMDD}.csv.gz");
	cr_expect_eq(d.layout, SL_HEADER);
	cr_expect_eq(d.gzip, 1);
	cr_expect_eq(d.delim, ',');
	cr_expect_eq(d.quoting, 0);
	cr_expect_str_eq(d.header,
	    "TXN_ID,MSISDN,AMOUNT_BDT,TXN_TIME,MERCHANT_REF,TXN_TYPE,RESULT");
	cr_expect_eq(d.nfields, 7);
	cr_expect_str_eq(d.colname[2], "AMOUNT_BDT");
	cr_expect_str_eq(d.colname[6], "RESULT");
	cr_expect_eq(d.col[SF_ID], 0);
	cr_expect_eq(d.col[SF_MSISDN], 1);
	cr_expect_eq(d.col[SF_AMOUNT], 2);
	cr_expect_eq(d.col[SF_TIME], 3);
	cr_expect_eq(d.col[SF_REF], 4);
	cr_expect_eq(d.col[SF_KIND], 5);
	cr_expect_eq(d.col[SF_STATUS], 6);
	cr_expect_eq(d.time_col2, -1);
	cr_expect_eq(d.amount_unit, SU_TAKA);
	cr_expect_eq(d.timefmt, ST_ISO);
	has_values(&d.charge, charge, 1);
	has_values(&d.refund, refund, 1);
	has_values(&d.success, success, 1);
	cr_expect_eq(d.failed.any, 1, "GP: any other RESULT code is FAILED");
	cr_expect_str_eq(d.trl_tag, "TRAILER");
	cr_expect_eq(d.trl_nfields, 3);
	cr_expect_eq(d.trl_count, 1);
	cr_expect_eq(d.trl_sum, 2);
	cr_expect_eq(d.trl_unit, SU_TAKA);
	cr_expect_eq(d.nprefixes, 2);
	cr_expect(settle_dialect_owns_prefix(&d, "017"));
	cr_expect(settle_dialect_owns_prefix(&d, "013"));
	cr_expect_not(settle_dialect_owns_prefix(&d, "018"));
	cr_expect_not(settle_dialect_owns_prefix(&d, "015"));
}

Test(dialect, robi)
{
	static const char *const charge[] = { "C" };
	static const char *const refund[] = { "R" };
	static const char *const success[] = { "SUCCESS" };
	static const char *const failed[] = { "FAILED" };

	load_ok("schemas/robi.yaml");
	cr_expect_str_eq(d.op, "ROBI");
	cr_expect_str_eq(d.file, "robi_dcb_{YYYY-MM-DD}.txt");
	cr_expect_eq(d.layout, SL_HEADER);
	cr_expect_eq(d.gzip, 0);
	cr_expect_eq(d.delim, '|');
	cr_expect_eq(d.quoting, 0);
	cr_expect_str_eq(d.header,
	    "id|msisdn|amount_poisha|epoch_ms|ref|type|status");
	cr_expect_eq(d.nfields, 7);
	cr_expect_eq(d.col[SF_ID], 0);
	cr_expect_eq(d.col[SF_TIME], 3);
	cr_expect_eq(d.col[SF_STATUS], 6);
	cr_expect_eq(d.amount_unit, SU_POISHA);
	cr_expect_eq(d.timefmt, ST_EPOCH_MS);
	has_values(&d.charge, charge, 1);
	has_values(&d.refund, refund, 1);
	has_values(&d.success, success, 1);
	has_values(&d.failed, failed, 1);
	cr_expect_not(settle_valset_has(&d.failed, "failed", 6));
	cr_expect_not(settle_valset_has(&d.success, "SUCCES", 6));
	cr_expect_not(settle_valset_has(&d.success, "SUCCESSX", 8));
	cr_expect_str_eq(d.trl_tag, "#EOF");
	cr_expect_eq(d.trl_unit, SU_POISHA);
	cr_expect(settle_dialect_owns_prefix(&d, "018"));
	cr_expect(settle_dialect_owns_prefix(&d, "016"));
	cr_expect_not(settle_dialect_owns_prefix(&d, "017"));
}

Test(dialect, bl)
{
	static const char *const charge[] = { "DEBIT" };
	static const char *const refund[] = { "CREDIT" };
	static const char *const success[] = { "Charged" };
	static const char *const failed[] = { "Failed" };

	load_ok("schemas/bl.yaml");
	cr_expect_str_eq(d.op, "BL");
	cr_expect_str_eq(d.file, "BL-DCB-{DDMMYYYY}.csv");
	cr_expect_eq(d.layout, SL_HEADER);
	cr_expect_eq(d.gzip, 0);
	cr_expect_eq(d.delim, ';');
	cr_expect_eq(d.quoting, 1, "BL fields may be double-quoted");
	cr_expect_str_eq(d.header,
	    "Transaction ID;Subscriber;Amount;Date;Time;Reference;Type;Status");
	cr_expect_eq(d.nfields, 8);
	cr_expect_str_eq(d.colname[0], "Transaction ID");
	cr_expect_eq(d.col[SF_ID], 0);
	cr_expect_eq(d.col[SF_MSISDN], 1);
	cr_expect_eq(d.col[SF_AMOUNT], 2);
	cr_expect_eq(d.col[SF_TIME], 3);
	cr_expect_eq(d.time_col2, 4);
	cr_expect_eq(d.col[SF_REF], 5);
	cr_expect_eq(d.col[SF_KIND], 6);
	cr_expect_eq(d.col[SF_STATUS], 7);
	cr_expect_eq(d.amount_unit, SU_TAKA);
	cr_expect_eq(d.timefmt, ST_LOCAL);
	cr_expect_str_eq(d.time_pattern, "%d/%m/%Y %H:%M:%S");
	has_values(&d.charge, charge, 1);
	has_values(&d.refund, refund, 1);
	has_values(&d.success, success, 1);
	has_values(&d.failed, failed, 1);
	cr_expect_str_eq(d.trl_tag, "TOTAL");
	cr_expect_eq(d.trl_unit, SU_TAKA);
	cr_expect(settle_dialect_owns_prefix(&d, "019"));
	cr_expect(settle_dialect_owns_prefix(&d, "014"));
}

Test(dialect, tt)
{
	static const char *const charge[] = { "CHG" };
	static const char *const refund[] = { "RFD" };
	static const char *const success[] = { "00" };

	load_ok("schemas/tt.yaml");
	cr_expect_str_eq(d.op, "TT");
	cr_expect_str_eq(d.file, "TT_DCB_{YYYYMMDD}.dat");
	cr_expect_eq(d.layout, SL_RECORDS);
	cr_expect_eq(d.gzip, 0);
	cr_expect_eq(d.delim, '\t');
	cr_expect_eq(d.quoting, 0);
	cr_expect_eq(d.nfields, 8);
	cr_expect_str_eq(d.detail_tag, "D");
	cr_expect_str_eq(d.hdr_tag, "H");
	cr_expect_eq(d.hdr_nfields, 4);
	cr_expect_str_eq(d.hdr_fields[0], "H");
	cr_expect_str_eq(d.hdr_fields[1], "TELETALK");
	cr_expect_str_eq(d.hdr_fields[2], "{YYYYMMDD}");
	cr_expect_str_eq(d.hdr_fields[3], "{count}");
	cr_expect_eq(d.col[SF_ID], 1);
	cr_expect_eq(d.col[SF_MSISDN], 2);
	cr_expect_eq(d.col[SF_AMOUNT], 3);
	cr_expect_eq(d.col[SF_TIME], 4);
	cr_expect_eq(d.col[SF_REF], 5);
	cr_expect_eq(d.col[SF_KIND], 6);
	cr_expect_eq(d.col[SF_STATUS], 7);
	cr_expect_eq(d.time_col2, -1);
	cr_expect_eq(d.amount_unit, SU_POISHA);
	cr_expect_eq(d.timefmt, ST_LOCAL);
	cr_expect_str_eq(d.time_pattern, "%Y%m%d%H%M%S");
	has_values(&d.charge, charge, 1);
	has_values(&d.refund, refund, 1);
	has_values(&d.success, success, 1);
	cr_expect_eq(d.failed.any, 1, "TT: any other status code is FAILED");
	cr_expect_str_eq(d.trl_tag, "T");
	cr_expect_eq(d.trl_nfields, 3);
	cr_expect_eq(d.trl_count, 1);
	cr_expect_eq(d.trl_sum, 2);
	cr_expect_eq(d.trl_unit, SU_POISHA);
	cr_expect_eq(d.nprefixes, 1);
	cr_expect(settle_dialect_owns_prefix(&d, "015"));
}

/* Each bad schema: its error code, line range and the key it names. */
static const struct {
	const char *file;
	long line_lo, line_hi;
	const char *field;
} bad_schemas[] = {
	{ "dialect_missing_key.yaml", 2, 2, "operator" },
	{ "dialect_bad_delimiter.yaml", 6, 6, "delimiter" },
	{ "dialect_unknown_column.yaml", 11, 11, "msisdn" },
	{ "dialect_bad_time_format.yaml", 18, 18, "time_format" },
	{ "dialect_invalid_yaml.yaml", 26, 27, NULL },
	{ "dialect_bad_unit.yaml", 17, 17, "amount_unit" },
	{ "dialect_star_kind.yaml", 20, 20, "kind" },
	{ "dialect_bad_trailer.yaml", 25, 25, "trailer" },
	{ "dialect_bad_compression.yaml", 5, 5, "compression" },
	{ "dialect_missing_column.yaml", 10, 10, "status" },
	{ "dialect_bad_prefix.yaml", 26, 26, "prefixes" },
	{ "dialect_duplicate_key.yaml", 7, 7, "delimiter" },
	{ "dialect_bad_layout.yaml", 4, 4, "layout" },
	{ "dialect_two_time_columns.yaml", 2, 18, "time_format" },
	{ "dialect_column_out_of_range.yaml", 20, 20, "status" },
};

Test(dialect, schema_errors)
{
	char path[256];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(bad_schemas) / sizeof(bad_schemas[0]); i++) {
		snprintf(path, sizeof(path), "tests/unit/data/%s",
		    bad_schemas[i].file);
		settle_err_clear(&err);
		rc = settle_dialect_load(&d, path, &err);
		cr_expect_eq(rc, SETTLE_ECONFIG, "%s: rc %d (%s)", path, rc,
		    err.msg);
		cr_expect_eq(err.code, SETTLE_ECONFIG, "%s", path);
		cr_expect_str_eq(err.file, path);
		cr_expect(err.line >= bad_schemas[i].line_lo &&
		    err.line <= bad_schemas[i].line_hi, "%s: line %ld, want "
		    "%ld..%ld (%s)", path, err.line, bad_schemas[i].line_lo,
		    bad_schemas[i].line_hi, err.msg);
		if (bad_schemas[i].field != NULL)
			cr_expect_str_eq(err.field, bad_schemas[i].field,
			    "%s: field '%s' (%s)", path, err.field, err.msg);
		cr_expect_neq(err.msg[0], '\0', "%s: no message", path);
	}
}

Test(dialect, missing_file)
{
	settle_err_clear(&err);
	cr_expect_eq(settle_dialect_load(&d, "tests/unit/data/none.yaml",
	    &err), SETTLE_ENOINPUT);
	cr_expect_eq(err.code, SETTLE_ENOINPUT);
	cr_expect_str_eq(err.file, "tests/unit/data/none.yaml");
}

/* The error message names the problem in words a person can act on. */
Test(dialect, error_formats_with_file_and_line)
{
	char buf[1024];

	settle_err_clear(&err);
	cr_assert_eq(settle_dialect_load(&d,
	    "tests/unit/data/dialect_bad_delimiter.yaml", &err),
	    SETTLE_ECONFIG);
	settle_err_format(&err, buf, sizeof(buf));
	cr_expect_eq(strncmp(buf,
	    "tests/unit/data/dialect_bad_delimiter.yaml:6: field 'delimiter': ",
	    64), 0, "'%s'", buf);
}

Test(dialect, valset)
{
	struct settle_valset s;

	memset(&s, 0, sizeof(s));
	s.n = 2;
	strcpy(s.v[0], "Charged");
	strcpy(s.v[1], "00");
	cr_expect(settle_valset_has(&s, "Charged", 7));
	cr_expect(settle_valset_has(&s, "00", 2));
	cr_expect(settle_valset_has(&s, "Charged!", 7));
	cr_expect_not(settle_valset_has(&s, "charged", 7));
	cr_expect_not(settle_valset_has(&s, "0", 1));
	cr_expect_not(settle_valset_has(&s, "000", 3));
	cr_expect_not(settle_valset_has(&s, "", 0));
	/* "*" is for the caller to apply: has() matches listed values only. */
	s.any = 1;
	cr_expect_not(settle_valset_has(&s, "17", 2));
}

static int64_t
day(const char *iso)
{
	int64_t v;

	cr_assert_eq(settle_date_parse(iso, &v), 0, "%s", iso);
	return v;
}

Test(dialect, pattern_expand)
{
	static const struct {
		const char *pat, *date, *want;
	} c[] = {
		{ "GP_DCB_{YYYYMMDD}.csv.gz", "2026-11-26",
		    "GP_DCB_20261126.csv.gz" },
		{ "robi_dcb_{YYYY-MM-DD}.txt", "2026-11-26",
		    "robi_dcb_2026-11-26.txt" },
		{ "BL-DCB-{DDMMYYYY}.csv", "2026-11-26", "BL-DCB-26112026.csv" },
		{ "TT_DCB_{YYYYMMDD}.dat", "2026-01-05", "TT_DCB_20260105.dat" },
		{ "{YYYYMMDD}", "2024-02-29", "20240229" },
		{ "x{DDMMYYYY}", "2026-01-05", "x05012026" },
		{ "fixed.csv", "2026-11-26", "fixed.csv" },
		{ "{unknown}_{YYYYMMDD}", "2026-11-26", "{unknown}_20261126" },
	};
	char out[128];
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		memset(out, 'x', sizeof(out));
		cr_expect_eq(settle_pattern_expand(c[i].pat, day(c[i].date), out,
		    sizeof(out)), 0, "%s", c[i].pat);
		cr_expect_str_eq(out, c[i].want, "%s", c[i].pat);
	}
	/* Too small a buffer is an error, not a cut name. */
	cr_expect_eq(settle_pattern_expand("GP_DCB_{YYYYMMDD}.csv.gz",
	    day("2026-11-26"), out, 22), -1);
	cr_expect_eq(settle_pattern_expand("GP_DCB_{YYYYMMDD}.csv.gz",
	    day("2026-11-26"), out, 23), 0);
	cr_expect_str_eq(out, "GP_DCB_20261126.csv.gz");
	cr_expect_eq(settle_pattern_expand("fixed.csv", 0, out, 5), -1);
}

Test(dialect, pattern_match)
{
	static const struct {
		const char *pat, *name, *date;
	} ok[] = {
		{ "GP_DCB_{YYYYMMDD}.csv.gz", "GP_DCB_20261126.csv.gz",
		    "2026-11-26" },
		{ "robi_dcb_{YYYY-MM-DD}.txt", "robi_dcb_2026-11-26.txt",
		    "2026-11-26" },
		{ "BL-DCB-{DDMMYYYY}.csv", "BL-DCB-26112026.csv", "2026-11-26" },
		{ "TT_DCB_{YYYYMMDD}.dat", "TT_DCB_20240229.dat", "2024-02-29" },
		{ "BL-DCB-{DDMMYYYY}.csv", "BL-DCB-05012026.csv", "2026-01-05" },
	};
	static const struct {
		const char *pat, *name;
	} no[] = {
		{ "GP_DCB_{YYYYMMDD}.csv.gz", "GP_DCB_20261126.csv" },
		{ "GP_DCB_{YYYYMMDD}.csv.gz", "gp_dcb_20261126.csv.gz" },
		{ "GP_DCB_{YYYYMMDD}.csv.gz", "GP_DCB_2026112.csv.gz" },
		{ "GP_DCB_{YYYYMMDD}.csv.gz", "GP_DCB_202611266.csv.gz" },
		{ "GP_DCB_{YYYYMMDD}.csv.gz", "GP_DCB_2026-11-26.csv.gz" },
		{ "GP_DCB_{YYYYMMDD}.csv.gz", "GP_DCB_20261131.csv.gz" },
		{ "GP_DCB_{YYYYMMDD}.csv.gz", "GP_DCB_20250229.csv.gz" },
		{ "GP_DCB_{YYYYMMDD}.csv.gz", "GP_DCB_2026112x.csv.gz" },
		{ "GP_DCB_{YYYYMMDD}.csv.gz", "x/GP_DCB_20261126.csv.gz" },
		{ "robi_dcb_{YYYY-MM-DD}.txt", "robi_dcb_20261126.txt" },
		{ "robi_dcb_{YYYY-MM-DD}.txt", "robi_dcb_2026x11x26.txt" },
		{ "robi_dcb_{YYYY-MM-DD}.txt", "robi_dcb_2026-13-01.txt" },
		{ "BL-DCB-{DDMMYYYY}.csv", "BL-DCB-20261126.csv" },
		{ "BL-DCB-{DDMMYYYY}.csv", "BL-DCB-31022026.csv" },
		{ "fixed.csv", "fixed.csv" },
		{ "GP_DCB_{YYYYMMDD}.csv.gz", "" },
	};
	int64_t got;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		got = -1;
		cr_expect_eq(settle_pattern_match(ok[i].pat, ok[i].name, &got),
		    0, "%s by %s", ok[i].name, ok[i].pat);
		cr_expect_eq(got, day(ok[i].date), "%s", ok[i].name);
	}
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		cr_expect_eq(settle_pattern_match(no[i].pat, no[i].name, &got),
		    -1, "'%s' matched '%s'", no[i].name, no[i].pat);
}

/* expand then match gives the date back, for every style, every day. */
Test(dialect, pattern_round_trip)
{
	static const char *const pats[] = {
		"GP_DCB_{YYYYMMDD}.csv.gz", "robi_dcb_{YYYY-MM-DD}.txt",
		"BL-DCB-{DDMMYYYY}.csv",
	};
	int64_t d0 = day("2024-01-01"), x, got;
	char name[128];
	size_t i;

	for (i = 0; i < 3; i++)
		for (x = d0; x < d0 + 800; x++) {
			cr_assert_eq(settle_pattern_expand(pats[i], x, name,
			    sizeof(name)), 0);
			cr_assert_eq(settle_pattern_match(pats[i], name, &got),
			    0, "%s", name);
			cr_assert_eq(got, x, "%s", name);
		}
}
