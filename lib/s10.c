/*
 * S10 check digits: c = 11 - (weighted sum mod 11), where 10 becomes 0 and
 * 11 becomes 5.
 */
#include "s10.h"

int
settle_s10_check_digit(const char *d)
{
	static const int w[8] = {8, 6, 4, 2, 3, 5, 9, 7};
	int i, s = 0, c;

	for (i = 0; i < 8; i++)
		s += (d[i] - '0') * w[i];
	c = 11 - s % 11;
	if (c == 10)
		c = 0;
	else if (c == 11)
		c = 5;
	return c;
}

int
settle_s10_valid(const char *s, size_t len)
{
	int i;

	if (len != 13)
		return 0;
	for (i = 0; i < 2; i++)
		if (s[i] < 'A' || s[i] > 'Z')
			return 0;
	for (i = 2; i < 11; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	if (s[11] != 'B' || s[12] != 'D')
		return 0;
	return settle_s10_check_digit(s + 2) == s[10] - '0';
}

int
settle_postcode_valid(const char *s, size_t len)
{
	int i, v = 0;

	if (len != 4)
		return 0;
	for (i = 0; i < 4; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	return v >= 1000 && v <= 9499;
}
