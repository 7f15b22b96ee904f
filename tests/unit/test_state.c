/*
 * Unit tests for lib/state: the id file written from the operators' id
 * sinks (each a temporary file filled while its operator's file is read),
 * its exact bytes and escapes, and its reading back into the duplicate
 * tables.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "dedup.h"
#include "engine.h"
#include "state.h"
#include "timefmt.h"

static struct settle_config cf;

static void
config_two(void)
{
	memset(&cf, 0, sizeof(cf));
	cf.window_hours = 72;
	cf.dedup_days = 80;
	cf.cap = 50000;
	cf.nops = 2;
	snprintf(cf.ops[0].code, sizeof(cf.ops[0].code), "GP");
	snprintf(cf.ops[1].code, sizeof(cf.ops[1].code), "ROBI");
}

static int64_t
day(const char *s)
{
	int64_t d;

	cr_assert_eq(settle_date_parse(s, &d), 0);
	return d;
}

/* The whole of a stream, from its start, NUL-terminated (caller frees). */
static char *
slurp(FILE *f)
{
	char *buf;
	long n;

	cr_assert_eq(fflush(f), 0);
	cr_assert_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	cr_assert_geq(n, 0);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	return buf;
}

Test(state, id_file_from_sinks_in_operator_order)
{
	struct settle_idsink s[2];
	FILE *f = tmpfile();
	char *text;

	cr_assert_not_null(f);
	config_two();
	settle_idsink_init(&s[0], "GP");
	settle_idsink_init(&s[1], "ROBI");
	/* ROBI's ids arrive first: the file still lists GP's first. */
	cr_assert_eq(settle_idsink_add(&s[1], "R-2", 3, UINT64_C(0xff),
	    day("2026-11-24")), 0);
	cr_assert_eq(settle_idsink_add(&s[0], "G-1", 3,
	    UINT64_C(0x0123456789abcdef), day("2026-11-25")), 0);
	/* Only the length given is the id; escapes for '%', tab and DEL. */
	cr_assert_eq(settle_idsink_add(&s[0], "a%b\tc\x7f" "dXYZ", 7, 0,
	    day("2026-11-25")), 0);
	cr_assert_eq(s[0].n, 2);
	cr_assert_eq(s[1].n, 1);
	cr_assert_eq(settle_ids_write(day("2026-11-25"), s, 2, f), 0);
	text = slurp(f);
	cr_assert_str_eq(text,
	    "settle-ids\t1\n"
	    "run_date\t2026-11-25\n"
	    "id\tGP\tG-1\t0123456789abcdef\t2026-11-25\n"
	    "id\tGP\ta%25b%09c%7Fd\t0000000000000000\t2026-11-25\n"
	    "id\tROBI\tR-2\t00000000000000ff\t2026-11-24\n"
	    "end\n");
	free(text);
	settle_idsink_release(&s[0]);
	settle_idsink_release(&s[1]);
	fclose(f);
}

Test(state, id_file_with_no_ids_and_a_sink_never_used)
{
	struct settle_idsink s[2];
	FILE *f = tmpfile();
	char *text;

	cr_assert_not_null(f);
	settle_idsink_init(&s[0], "GP");
	settle_idsink_init(&s[1], "ROBI");
	cr_assert_null(s[0].f, "no temporary file before the first id");
	cr_assert_eq(settle_ids_write(day("2026-02-01"), s, 2, f), 0);
	text = slurp(f);
	cr_assert_str_eq(text, "settle-ids\t1\nrun_date\t2026-02-01\nend\n");
	free(text);
	settle_idsink_release(&s[0]);
	settle_idsink_release(&s[1]);
	fclose(f);
}

Test(state, id_file_read_back_into_the_duplicate_tables)
{
	struct settle_dedup_entry k;
	struct settle_engine e;
	struct settle_idsink s[2];
	struct settle_err err;
	char path[] = "/tmp/settle-test-ids.XXXXXX";
	char id[32];
	FILE *f;
	int fd, i;

	config_two();
	fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	f = fdopen(fd, "w+b");
	cr_assert_not_null(f);
	settle_idsink_init(&s[0], "GP");
	settle_idsink_init(&s[1], "ROBI");
	/* Enough ids that the sinks' buffers are flushed more than once. */
	for (i = 0; i < 30000; i++) {
		snprintf(id, sizeof(id), "%s-%08d", i % 3 ? "G" : "R%", i);
		cr_assert_eq(settle_idsink_add(&s[i % 3 ? 0 : 1], id,
		    strlen(id), (uint64_t)i, day(i % 2 ? "2026-11-25" :
		    "2026-11-20")), 0);
	}
	cr_assert_eq(settle_ids_write(day("2026-11-25"), s, 2, f), 0);
	cr_assert_eq(fclose(f), 0);
	settle_idsink_release(&s[0]);
	settle_idsink_release(&s[1]);

	settle_engine_init(&e, &cf);
	settle_err_clear(&err);
	/* Ids of business dates before the 21st are past the window. */
	cr_assert_eq(settle_ids_read(&e, path, day("2026-11-25"),
	    day("2026-11-21"), &err), 0, "%s", err.msg);
	for (i = 0; i < 30000; i++) {
		snprintf(id, sizeof(id), "%s-%08d", i % 3 ? "G" : "R%", i);
		settle_dedup_key(&k, id, strlen(id));
		cr_assert_eq(settle_dedup_has(&e.dedup[i % 3 ? 0 : 1], &k),
		    i % 2, "id %s", id);
		cr_assert_eq(settle_dedup_has(&e.dedup[i % 3 ? 1 : 0], &k), 0,
		    "id %s under the other operator", id);
	}
	settle_engine_release(&e);
	unlink(path);
}

/* Write text to a new temporary file; its path into path (>= 32 bytes). */
static void
write_temp(char *path, const char *text)
{
	FILE *f;
	int fd;

	strcpy(path, "/tmp/settle-test-state.XXXXXX");
	fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	f = fdopen(fd, "w");
	cr_assert_not_null(f);
	cr_assert_geq(fputs(text, f), 0);
	cr_assert_eq(fclose(f), 0);
}

/*
 * Read a snapshot of body's lines (after the header and the month-to-date
 * lines of GP and ROBI, before "end") into e, freshly set up: the code of
 * reading it.  The caller releases e.
 */
static int
read_snapshot(struct settle_engine *e, const char *body, struct settle_err *err)
{
	char path[64], text[1024];
	int rc;

	config_two();
	snprintf(text, sizeof(text),
	    "settle-state\t2\n"
	    "last_date\t2026-11-25\n"
	    "mtd\tGP\t2026-11\t0\n"
	    "mtd\tROBI\t2026-11\t0\n"
	    "%s"
	    "end\n", body);
	write_temp(path, text);
	settle_engine_init(e, &cf);
	settle_err_clear(err);
	rc = settle_state_read(e, path, err);
	unlink(path);
	return rc;
}

/* Read a snapshot whose one record has msisdn m: the code returned. */
static int
read_with_msisdn(const char *m, struct settle_err *err)
{
	struct settle_engine e;
	char body[256], buf[16];
	int rc;

	snprintf(body, sizeof(body),
	    "ref\tX-1\t0\t0\t2026-11-25\t0\n"
	    "group\t1\t0\tX-1\n"
	    "rec\tGP\tG-1\t%s\t100\t2026-11-25T01:00:00Z\tCHARGE\n", m);
	rc = read_snapshot(&e, body, err);
	if (rc == 0) {
		cr_assert_eq(e.npending, 1);
		cr_assert_str_eq(settle_erec_msisdn(&e.pending[0]->recs[0],
		    buf), m);
	}
	settle_engine_release(&e);
	return rc;
}

Test(state, a_record_needs_a_canonical_msisdn)
{
	static const char *const bad[] = {
		"88017123456789", "880171234567", "8801712345x78", ""
	};
	struct settle_err err;
	size_t i;

	cr_assert_eq(read_with_msisdn("8801712345678", &err), 0, "%s",
	    err.msg);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(read_with_msisdn(bad[i], &err), SETTLE_EDATA,
		    "'%s' accepted", bad[i]);
		cr_assert_eq(err.line, 7, "'%s': line %ld", bad[i], err.line);
	}
}

/*
 * Orders with no record wait on their references with no group; in the
 * snapshot they are groups of no records, in the order the groups were
 * made among the groups with records.  Read and written back, the
 * snapshot is the same bytes; the next record of a waiting order makes its
 * group, which keeps that place.
 */
Test(state, waiting_orders_keep_their_place_among_the_groups)
{
	static const char snap[] =
	    "settle-state\t2\n"
	    "last_date\t2026-11-25\n"
	    "mtd\tGP\t2026-11\t0\n"
	    "mtd\tROBI\t2026-11\t0\n"
	    "ref\tA-3\t0\t0\t2026-11-25\t1\tBPO\t\t5545\t8801767110805\tGP"
	    "\t0\t0\t4500\t2026-11-25T06:05:05Z\tPAID\n"
	    "ref\tB-1\t0\t0\t2026-11-25\t1\tECAB\tECAB-0001\t\t8801767110806"
	    "\tROBI\t1000\t200\t0\t2026-11-25T07:00:00Z\tPENDING\n"
	    "ref\tC-2\t0\t0\t2026-11-25\t0\n"
	    "group\t1\t0\tB-1\n"
	    "group\t1\t0\tC-2\n"
	    "rec\tGP\tG-1\t8801712345678\t100\t2026-11-25T01:00:00Z\tCHARGE\n"
	    "group\t1\t0\tA-3\n"
	    "end\n";
	struct settle_engine e;
	struct settle_err err;
	char path[64], *text;
	FILE *f;

	config_two();
	write_temp(path, snap);
	settle_engine_init(&e, &cf);
	settle_err_clear(&err);
	cr_assert_eq(settle_state_read(&e, path, &err), 0, "%s", err.msg);
	unlink(path);
	cr_expect_eq(e.npending, 1, "groups with records");
	cr_expect_eq(e.nwaiting, 2, "orders waiting");
	cr_expect_eq(settle_engine_npending(&e), 3);

	/* Written as the state after the same date again. */
	settle_engine_begin(&e, day("2026-11-25"));
	f = tmpfile();
	cr_assert_not_null(f);
	cr_assert_eq(settle_state_write(&e, f), 0);
	text = slurp(f);
	fclose(f);
	cr_expect_str_eq(text, snap);
	free(text);

	/* A record for B-1 makes its group, first of the three still. */
	cr_assert_eq(settle_engine_group_add(&e, settle_engine_group_new(&e,
	    settle_engine_ref(&e, "B-1", 3), 0), "ROBI", "R-1", 3,
	    "8801767110806", 1200, INT64_C(1795574400), SK_CHARGE), 0);
	cr_expect_eq(e.npending, 2);
	cr_expect_eq(e.nwaiting, 1);
	f = tmpfile();
	cr_assert_not_null(f);
	cr_assert_eq(settle_state_write(&e, f), 0);
	text = slurp(f);
	fclose(f);
	cr_expect_not_null(strstr(text, "group\t1\t0\tB-1\nrec\tROBI\tR-1\t"
	    "8801767110806\t1200\t"), "%s", text);
	cr_expect_lt(strstr(text, "group\t1\t0\tB-1"),
	    strstr(text, "group\t1\t0\tC-2"), "%s", text);
	free(text);
	settle_engine_release(&e);
}

/* A snapshot's one order line: the code of reading it, err at its line. */
static int
read_order_line(const char *order, struct settle_err *err)
{
	struct settle_engine e;
	char body[512];
	int rc;

	snprintf(body, sizeof(body),
	    "ref\tA-1\t0\t0\t2026-11-25\t1\t%s\n"
	    "group\t1\t0\tA-1\n", order);
	rc = read_snapshot(&e, body, err);
	if (rc == 0)
		cr_expect_eq(e.nwaiting, 1);
	settle_engine_release(&e);
	return rc;
}

/*
 * An order line names a configured operator, has only the amounts of its
 * kind, and goods and delivery that add up.
 */
Test(state, an_order_line_is_checked)
{
	static const char *const bad[] = {
		"BPO\t\t5545\t8801767110805\tAIRTEL\t0\t0\t4500"
		    "\t2026-11-25T06:05:05Z\tPAID",
		"BPO\t\t5545\t8801767110805\tGP\t1\t0\t4500"
		    "\t2026-11-25T06:05:05Z\tPAID",
		"ECAB\tECAB-0001\t\t8801767110805\tGP\t100\t20\t5"
		    "\t2026-11-25T06:05:05Z\tPAID",
		"ECAB\tECAB-0001\t\t8801767110805\tGP\t9223372036854775807"
		    "\t1\t0\t2026-11-25T06:05:05Z\tPAID",
		"ECAB\tECAB-0001\t\t880176711080\tGP\t100\t20\t0"
		    "\t2026-11-25T06:05:05Z\tPAID",
	};
	struct settle_err err;
	size_t i;

	cr_assert_eq(read_order_line("BPO\t\t5545\t8801767110805\tGP\t0\t0"
	    "\t4500\t2026-11-25T06:05:05Z\tPAID", &err), 0, "%s", err.msg);
	cr_assert_eq(read_order_line("ECAB\tECAB-0001\t\t8801767110805\tROBI"
	    "\t100\t20\t0\t2026-11-25T06:05:05Z\tPENDING", &err), 0, "%s",
	    err.msg);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_expect_eq(read_order_line(bad[i], &err), SETTLE_EDATA,
		    "accepted: %s", bad[i]);
		cr_expect_eq(err.line, 5, "%s: line %ld", bad[i], err.line);
	}
}
