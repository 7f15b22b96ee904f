/*
 * MSISDN: Bangladeshi mobile numbers in canonical 13-digit form
 * "8801" + [3-9] + 8 digits.
 */
#ifndef SETTLE_MSISDN_H
#define SETTLE_MSISDN_H

#include <stddef.h>
#include <stdint.h>

#define SETTLE_MSISDN_LEN 13

/*
 * Normalise s (len bytes) into out (>= 14 bytes, NUL-terminated).  Accepted:
 * an optional '+' or leading "00", spaces and hyphens anywhere, the
 * international "880..." or national "01..." form.  Returns 0 or -1.
 */
int settle_msisdn_norm(const char *s, size_t len, char *out);

/*
 * The national prefix ("017") of a canonical MSISDN, written to out
 * (>= 4 bytes).
 */
void settle_msisdn_prefix(const char *canon, char *out);

/*
 * A canonical MSISDN as a number (13 digits fit in 44 bits), and back
 * (out >= 14 bytes).  pack returns UINT64_MAX for anything else.
 */
uint64_t settle_msisdn_pack(const char *canon);
void settle_msisdn_unpack(uint64_t v, char *out);

#endif
