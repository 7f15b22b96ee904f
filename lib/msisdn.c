/*
 * MSISDN normalisation.  Portability means a prefix never proves the
 * operator, so this module only shapes numbers; the "ported" count compares
 * prefixes with the schemas' lists.
 */
#include <string.h>

#include "msisdn.h"

static int
all_digits(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* Any accepted form: separators dropped, then "+", "00" or none. */
static int
norm_general(const char *s, size_t len, char *out)
{
	char d[32];
	size_t i, n = 0;
	const char *p;

	for (i = 0; i < len; i++) {
		if (s[i] == ' ' || s[i] == '-')
			continue;
		if (n >= sizeof(d) - 1)
			return -1;
		d[n++] = s[i];
	}
	d[n] = '\0';
	p = d;
	if (p[0] == '+')
		p++;
	else if (p[0] == '0' && p[1] == '0')
		p += 2;
	if (p != d && strncmp(p, "880", 3) != 0)
		return -1;
	for (i = 0; p[i] != '\0'; i++)
		if (p[i] < '0' || p[i] > '9')
			return -1;
	if (i == 11 && p[0] == '0' && p[1] == '1') {
		out[0] = '8';
		out[1] = '8';
		memcpy(out + 2, p, 11);
	} else if (i == 13 && strncmp(p, "8801", 4) == 0) {
		memcpy(out, p, 13);
	} else {
		return -1;
	}
	out[13] = '\0';
	if (out[4] < '3' || out[4] > '9')
		return -1;
	return 0;
}

/*
 * The forms files nearly always carry, bare national or international
 * digits, go straight through.
 */
int
settle_msisdn_norm(const char *s, size_t len, char *out)
{
	if (len == 11 && s[0] == '0' && s[1] == '1' && all_digits(s, len)) {
		out[0] = '8';
		out[1] = '8';
		memcpy(out + 2, s, 11);
	} else if (len == 13 && memcmp(s, "8801", 4) == 0 &&
	    all_digits(s, len)) {
		memcpy(out, s, 13);
	} else {
		return norm_general(s, len, out);
	}
	out[13] = '\0';
	return out[4] >= '3' && out[4] <= '9' ? 0 : -1;
}

void
settle_msisdn_prefix(const char *canon, char *out)
{
	out[0] = '0';
	out[1] = canon[3];
	out[2] = canon[4];
	out[3] = '\0';
}

uint64_t
settle_msisdn_pack(const char *canon)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < SETTLE_MSISDN_LEN; i++) {
		if (canon[i] < '0' || canon[i] > '9')
			return UINT64_MAX;
		v = v * 10 + (uint64_t)(canon[i] - '0');
	}
	return canon[i] == '\0' ? v : UINT64_MAX;
}

void
settle_msisdn_unpack(uint64_t v, char *out)
{
	int i;

	for (i = SETTLE_MSISDN_LEN - 1; i >= 0; i--) {
		out[i] = (char)('0' + v % 10);
		v /= 10;
	}
	out[SETTLE_MSISDN_LEN] = '\0';
}
