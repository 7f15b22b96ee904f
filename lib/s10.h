/*
 * UPU S10 tracking numbers and Bangladeshi post codes.
 */
#ifndef SETTLE_S10_H
#define SETTLE_S10_H

#include <stddef.h>

/* The check digit of 8 digits (weights 8 6 4 2 3 5 9 7). */
int settle_s10_check_digit(const char *digits8);

/* 1 when s is "AA" + 8 digits + check digit + "BD" with a right check. */
int settle_s10_valid(const char *s, size_t len);

/* 1 when s is 4 digits in 1000..9499. */
int settle_postcode_valid(const char *s, size_t len);

#endif
