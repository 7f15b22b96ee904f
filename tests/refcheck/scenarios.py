#!/usr/bin/env python3
"""Writes a small hand-made inbox of edge cases of SPEC §3-§6 for the
cross-check: usage scenarios.py OUTDIR [WINDOW_HOURS].

Dates 2026-11-28 .. 2026-12-03; every case uses its own references and
MSISDNs so that a difference points at one case.  Case names are in the
references (R01.., T01..)."""
import datetime as dt
import gzip
import os
import sys

BD = dt.timezone(dt.timedelta(hours=6))
DATES = [dt.date(2026, 11, 28) + dt.timedelta(days=i) for i in range(6)]
D1, D2, D3, D4, D5, D6 = DATES
W = int(sys.argv[2]) if len(sys.argv) > 2 else 24

charges = {d: {op: [] for op in ('GP', 'ROBI', 'BL', 'TT')} for d in DATES}
bpo = {d: [] for d in DATES}
ecab = {d: [] for d in DATES}
seq = [0]


def t(d, hms, days=0):
    h, m, s = map(int, hms.split(':'))
    return dt.datetime(d.year, d.month, d.day, h, m, s, tzinfo=BD) + dt.timedelta(days=days)


def nid(op):
    seq[0] += 1
    return {'GP': 'GP9%06d', 'ROBI': 'R-9%06d', 'BL': 'BL-9%06d', 'TT': 'TT9%06d'}[op] % seq[0]


def ch(fd, op, msisdn, amount, when, ref, kind='CHARGE', ok=True, cid=None):
    """A charge record in operator op's file of date fd."""
    cid = cid or nid(op)
    charges[fd][op].append((cid, msisdn, amount, when, ref, kind, ok))
    return cid


def s10(prefix, n8):
    w = [8, 6, 4, 2, 3, 5, 9, 7]
    s = sum(int(c) * x for c, x in zip(n8, w))
    c = 11 - s % 11
    c = 0 if c == 10 else 5 if c == 11 else c
    return '%s%s%dBD' % (prefix, n8, c)


def order_bpo(fd, track, msisdn, op, postage, when, status='PAID', office='1207', service='PARCEL'):
    bpo[fd].append((track, office, msisdn, op, service, postage, when, status))


def order_ecab(fd, ref, msisdn, op, goods, delivery, when, status='PAID', merchant=None, track=''):
    ecab[fd].append((ref, merchant or ref[:9], msisdn, op, goods, delivery, when, status, track))


def msisdn(op, n):
    pre = {'GP': '017', 'ROBI': '018', 'BL': '019', 'TT': '015'}[op]
    return '88' + pre + '%08d' % n


# ------------------------------------------------------------------ cases
m = msisdn

# C01 order arrives after its reference's group was closed (charge+refund,
# no order): the order only updates, no new pending group.
ch(D1, 'GP', m('GP', 101), 1000, t(D1, '10:00:00'), 'ECAB-0101-00000001')
ch(D1, 'GP', m('GP', 101), 1000, t(D1, '10:05:00'), 'ECAB-0101-00000001', 'REFUND')
order_ecab(D3, 'ECAB-0101-00000001', m('GP', 101), 'GP', 800, 200, t(D3, '09:00:00'))

# C02 charge after a dispute opens a new ordinary group with the current
# order, which then matches; then a late charge reopens.
order_ecab(D1, 'ECAB-0102-00000001', m('GP', 102), 'GP', 1500, 500, t(D1, '08:00:00'))
ch(D1, 'GP', m('GP', 102), 1500, t(D1, '09:00:00'), 'ECAB-0102-00000001')
ch(D3, 'GP', m('GP', 102), 2000, t(D3, '10:00:00'), 'ECAB-0102-00000001')
ch(D4, 'GP', m('GP', 102), 100, t(D4, '10:00:00'), 'ECAB-0102-00000001')

# C03 reopened group refunded in time (closed), then a second reopened group.
order_ecab(D1, 'ECAB-0103-00000001', m('ROBI', 103), 'ROBI', 2500, 500, t(D1, '08:00:00'))
ch(D1, 'ROBI', m('ROBI', 103), 3000, t(D1, '09:00:00'), 'ECAB-0103-00000001')
ch(D2, 'ROBI', m('ROBI', 103), 500, t(D2, '10:00:00'), 'ECAB-0103-00000001')
ch(D2, 'ROBI', m('ROBI', 103), 500, t(D2, '12:00:00'), 'ECAB-0103-00000001', 'REFUND')
ch(D4, 'ROBI', m('ROBI', 103), 700, t(D4, '11:00:00'), 'ECAB-0103-00000001')
ch(D4, 'ROBI', m('ROBI', 103), 300, t(D4, '11:30:00'), 'ECAB-0103-00000001', 'REFUND')

# C04 same second on two operators in one group (charge order: operator).
order_ecab(D1, 'ECAB-0104-00000001', m('GP', 104), 'GP', 1500, 500, t(D1, '08:00:00'))
ch(D1, 'GP', m('GP', 104), 1000, t(D1, '12:00:00'), 'ECAB-0104-00000001')
ch(D1, 'BL', m('GP', 104), 1000, t(D1, '12:00:00'), 'ECAB-0104-00000001')

# C05 fuzzy candidate exactly window_hours before the first record (taken),
# and one second earlier (not a candidate); both orders arrive the day after.
ch(D1, 'GP', m('GP', 105), 5555, t(D1, '10:00:00'), '')
order_ecab(D2, 'ECAB-0105-00000001', m('GP', 105), 'GP', 5000, 555,
           t(D1, '10:00:00') - dt.timedelta(hours=W))
ch(D1, 'GP', m('GP', 115), 5556, t(D1, '10:00:00'), '')
order_ecab(D2, 'ECAB-0105-00000002', m('GP', 115), 'GP', 5000, 556,
           t(D1, '10:00:00') - dt.timedelta(hours=W, seconds=1))

# C06 two empty-reference groups compete for one candidate: the earlier
# first record takes it.
ch(D1, 'ROBI', m('ROBI', 106), 6666, t(D1, '11:30:00'), '')
ch(D1, 'GP', m('ROBI', 106), 6666, t(D1, '11:00:00'), '')
order_ecab(D2, 'ECAB-0106-00000001', m('ROBI', 106), 'ROBI', 6000, 666, t(D1, '12:00:00'))

# C07 two candidates: ambiguous, both orders stay and close unpaid.
ch(D1, 'BL', m('BL', 107), 7777, t(D1, '13:00:00'), '')
order_ecab(D2, 'ECAB-0107-00000001', m('BL', 107), 'BL', 7000, 777, t(D1, '13:30:00'))
order_ecab(D2, 'ECAB-0107-00000002', m('BL', 107), 'BL', 7000, 777, t(D1, '13:40:00'))

# C08 mistyped reference matched fuzzy; later records with the mistyped
# reference start an ordinary group, with the order's reference reopen.
ch(D1, 'GP', m('GP', 108), 8888, t(D1, '14:00:00'), 'ECAB-0108-0000000X')
order_ecab(D2, 'ECAB-0108-00000001', m('GP', 108), 'GP', 8000, 888, t(D1, '14:30:00'))
ch(D3, 'GP', m('GP', 108), 100, t(D3, '09:00:00'), 'ECAB-0108-0000000X')
ch(D3, 'GP', m('GP', 108), 50, t(D3, '09:10:00'), 'ECAB-0108-00000001')

# C09 an order row update moves the window (latest row's time) and payable.
order_ecab(D1, 'ECAB-0109-00000001', m('TT', 109), 'TT', 9000, 0, t(D1, '09:00:00'))
order_ecab(D2, 'ECAB-0109-00000001', m('TT', 109), 'TT', 9100, 0, t(D2, '08:00:00'))

# C10 order cancelled by an update, then charged.
order_ecab(D1, 'ECAB-0110-00000001', m('GP', 110), 'GP', 900, 100, t(D1, '09:00:00'))
order_ecab(D2, 'ECAB-0110-00000001', m('GP', 110), 'GP', 900, 100, t(D2, '07:00:00'), 'CANCELLED')
ch(D2, 'GP', m('GP', 110), 1000, t(D2, '09:00:00'), 'ECAB-0110-00000001')

# C11 PENDING order never charged (closed); PENDING order charged (matched).
order_ecab(D1, 'ECAB-0111-00000001', m('GP', 111), 'GP', 1100, 0, t(D1, '09:00:00'), 'PENDING')
order_ecab(D1, 'ECAB-0111-00000002', m('GP', 112), 'GP', 1100, 0, t(D1, '09:00:00'), 'PENDING')
ch(D1, 'GP', m('GP', 112), 1100, t(D1, '09:30:00'), 'ECAB-0111-00000002')

# C12 refund only, with an order.
order_ecab(D1, 'ECAB-0112-00000001', m('BL', 113), 'BL', 1000, 200, t(D1, '09:00:00'))
ch(D1, 'BL', m('BL', 113), 300, t(D1, '09:30:00'), 'ECAB-0112-00000001', 'REFUND')

# C13 order updated after its match: nothing else changes.
order_ecab(D1, 'ECAB-0113-00000001', m('GP', 114), 'GP', 1300, 0, t(D1, '09:00:00'))
ch(D1, 'GP', m('GP', 114), 1300, t(D1, '09:30:00'), 'ECAB-0113-00000001')
order_ecab(D2, 'ECAB-0113-00000001', m('GP', 114), 'GP', 1400, 0, t(D2, '09:00:00'))

# C14 over-cap charge on an order (dispute at once, order stays unpaid);
# split under the cap matches.
order_ecab(D1, 'ECAB-0114-00000001', m('GP', 116), 'GP', 55000, 5000, t(D1, '09:00:00'))
ch(D1, 'GP', m('GP', 116), 60000, t(D1, '09:30:00'), 'ECAB-0114-00000001')
order_ecab(D1, 'ECAB-0114-00000002', m('GP', 117), 'GP', 55000, 5000, t(D1, '09:00:00'))
ch(D1, 'GP', m('GP', 117), 30000, t(D1, '09:30:00'), 'ECAB-0114-00000002')
ch(D1, 'GP', m('GP', 117), 30000, t(D1, '09:40:00'), 'ECAB-0114-00000002')

# C15 refund above the cap is not capped; split with refund.
order_ecab(D1, 'ECAB-0115-00000001', m('ROBI', 118), 'ROBI', 40000, 0, t(D1, '09:00:00'))
ch(D1, 'ROBI', m('ROBI', 118), 45000, t(D1, '09:30:00'), 'ECAB-0115-00000001')
ch(D1, 'ROBI', m('ROBI', 118), 45000, t(D1, '09:31:00'), 'ECAB-0115-00000001')
ch(D1, 'ROBI', m('ROBI', 118), 50000, t(D1, '09:32:00'), 'ECAB-0115-00000001', 'REFUND')
ch(D1, 'ROBI', m('ROBI', 119), 70000, t(D1, '09:33:00'), 'ECAB-0115-00000009', 'REFUND')

# C16 mixed operators with no order: no fuzzy match (the order exists).
ch(D1, 'GP', m('GP', 120), 1000, t(D1, '15:00:00'), 'ECAB-0116-0000000X')
ch(D1, 'TT', m('GP', 120), 1000, t(D1, '15:01:00'), 'ECAB-0116-0000000X')
order_ecab(D2, 'ECAB-0116-00000001', m('GP', 120), 'GP', 2000, 0, t(D1, '15:30:00'))

# C17 cross-day DUPLICATE_REF both ways (an ECAB reference that is a
# tracking number).
tr1 = s10('EE', '17000001')
order_bpo(D1, tr1, m('GP', 121), 'GP', 1700, t(D1, '09:00:00'))
order_ecab(D2, tr1, m('GP', 121), 'GP', 1600, 100, t(D2, '09:00:00'))
tr2 = s10('EE', '17000002')
order_ecab(D1, tr2, m('GP', 122), 'GP', 1600, 100, t(D1, '09:00:00'))
order_bpo(D2, tr2, m('GP', 122), 'GP', 1700, t(D2, '09:00:00'))
ch(D2, 'GP', m('GP', 121), 1700, t(D2, '10:00:00'), tr1)

# C18 duplicate ids across days.
ch(D1, 'GP', m('GP', 123), 1800, t(D1, '09:00:00'), 'ECAB-0118-00000001', cid='GP-DUP-1')
ch(D3, 'GP', m('GP', 123), 1800, t(D1, '09:00:00'), 'ECAB-0118-00000001', cid='GP-DUP-1')
ch(D1, 'GP', m('GP', 124), 1800, t(D1, '09:00:00'), 'ECAB-0118-00000002', cid='GP-DUP-2')
ch(D3, 'GP', m('GP', 124), 1900, t(D1, '09:00:00'), 'ECAB-0118-00000002', cid='GP-DUP-2')
ch(D1, 'TT', m('TT', 125), 1800, t(D1, '09:00:00'), 'ECAB-0118-00000003', ok=False, cid='TT-DUP-3')
ch(D2, 'TT', m('TT', 125), 1800, t(D1, '09:00:00'), 'ECAB-0118-00000003', cid='TT-DUP-3')
order_ecab(D1, 'ECAB-0118-00000003', m('TT', 125), 'TT', 1800, 0, t(D1, '08:00:00'))

# C19 a record of an earlier date arriving late: window already over.
ch(D3, 'BL', m('BL', 126), 1900, t(D1, '01:00:00'), '')
order_ecab(D3, 'ECAB-0119-00000001', m('BL', 126), 'BL', 1900, 0, t(D1, '02:00:00'))

# C20 candidate taken by the first of two same-second groups, by charge_id
# bytes (GP10 < GP9).
ch(D1, 'GP', m('GP', 127), 2020, t(D1, '16:00:00'), '', cid='GP9')
ch(D1, 'GP', m('GP', 127), 2020, t(D1, '16:00:00'), '', cid='GP10')
order_ecab(D2, 'ECAB-0120-00000001', m('GP', 127), 'GP', 2000, 20, t(D1, '16:30:00'))

# C21 dispute sequence by raw bytes of order_ref (before the ' prefix).
for i, ref in enumerate(['=SUM(A1)', 'A-21', 'a-21', '-21', '+21', '@21', 'Z,21', '"21"', 'B;21']):
    ch(D1, 'BL', m('BL', 130 + i), 2100 + i, t(D1, '17:00:%02d' % i), ref)

# C22 MSISDN mismatch (net = payable) and amount mismatch.
order_bpo(D1, s10('CP', '22000001'), m('TT', 140), 'TT', 2200, t(D1, '09:00:00'), office='3100')
ch(D1, 'TT', m('TT', 141), 2200, t(D1, '10:00:00'), s10('CP', '22000001'))
order_bpo(D1, s10('CP', '22000002'), m('TT', 142), 'TT', 2200, t(D1, '09:00:00'), office='3100')
ch(D1, 'TT', m('TT', 142), 2100, t(D1, '10:00:00'), s10('CP', '22000002'))
# matched counter orders for offices.csv
order_bpo(D1, s10('CP', '22000003'), m('TT', 143), 'TT', 2300, t(D1, '09:00:00'), office='3100', service='EMS')
ch(D1, 'TT', m('TT', 143), 2300, t(D1, '10:00:00'), s10('CP', '22000003'))

# C23 reopened group of a refund only (row 1), and the charging operator
# differs from the order's operator (matched; share to the charging one).
order_ecab(D1, 'ECAB-0123-00000001', m('GP', 144), 'ROBI', 2300, 0, t(D1, '09:00:00'))
ch(D1, 'GP', m('GP', 144), 2300, t(D1, '09:10:00'), 'ECAB-0123-00000001')
ch(D2, 'GP', m('GP', 144), 2300, t(D2, '09:10:00'), 'ECAB-0123-00000001', 'REFUND')

# C24 ported numbers (success, refund, failed) and a failed charge.
ch(D1, 'GP', m('ROBI', 150), 2400, t(D1, '18:00:00'), 'ECAB-0124-00000001')
ch(D1, 'GP', m('TT', 151), 2400, t(D1, '18:00:01'), 'ECAB-0124-00000002', 'REFUND')
ch(D1, 'GP', m('BL', 152), 2400, t(D1, '18:00:02'), 'ECAB-0124-00000003', ok=False)

# C25 records arrive before their order (window from the order once known),
# and an order that arrives when its records are pending without one.
ch(D1, 'ROBI', m('ROBI', 153), 2500, t(D1, '20:00:00'), 'ECAB-0125-00000001')
ch(D1, 'ROBI', m('ROBI', 153), 100, t(D1, '20:00:00'), 'ECAB-0125-00000001')
order_ecab(D2, 'ECAB-0125-00000001', m('ROBI', 153), 'ROBI', 2500, 0, t(D2, '08:00:00'))

# C26 a group closing on the exact end of the business date.
order_ecab(D1, 'ECAB-0126-00000001', m('BL', 154), 'BL', 2600, 0,
           t(D2, '00:00:00') - dt.timedelta(hours=W))
ch(D1, 'BL', m('BL', 154), 2000, t(D1, '01:00:00'), 'ECAB-0126-00000001')

# C27 a late charge after a reopened group's window has passed, in the run
# that closes it.
order_ecab(D1, 'ECAB-0127-00000001', m('TT', 155), 'TT', 2700, 0, t(D1, '08:00:00'))
ch(D1, 'TT', m('TT', 155), 2700, t(D1, '09:00:00'), 'ECAB-0127-00000001')
ch(D2, 'TT', m('TT', 155), 100, t(D2, '07:00:00'), 'ECAB-0127-00000001')
ch(D3, 'TT', m('TT', 155), 200, t(D3, '11:00:00'), 'ECAB-0127-00000001')

# C28 empty-reference charge and refund on one MSISDN: two groups.
ch(D1, 'TT', m('TT', 156), 2800, t(D1, '08:00:00'), '')
ch(D1, 'TT', m('TT', 156), 2800, t(D1, '08:30:00'), '', 'REFUND')

# C29 fuzzy candidate whose order is PENDING; and one CANCELLED (not one).
ch(D1, 'ROBI', m('ROBI', 157), 2900, t(D1, '21:00:00'), '')
order_ecab(D2, 'ECAB-0129-00000001', m('ROBI', 157), 'ROBI', 2900, 0, t(D1, '21:30:00'), 'PENDING')
ch(D1, 'ROBI', m('ROBI', 158), 2901, t(D1, '21:00:00'), '')
order_ecab(D2, 'ECAB-0129-00000002', m('ROBI', 158), 'ROBI', 2901, 0, t(D1, '21:30:00'), 'CANCELLED')

# C30 fuzzy: candidate holds records already (not a candidate).
ch(D1, 'BL', m('BL', 159), 3000, t(D1, '21:00:00'), '')
order_ecab(D1, 'ECAB-0130-00000001', m('BL', 159), 'BL', 3000, 0, t(D1, '21:30:00'))
ch(D1, 'BL', m('BL', 159), 1000, t(D1, '21:40:00'), 'ECAB-0130-00000001')

# C31 dedup window (run with dedup_days 2): stale resend, forgotten id,
# remembered id at the window's first date.
ch(D1, 'GP', m('GP', 160), 3100, t(D1, '09:00:00'), 'ECAB-0131-00000001', cid='GP-OLD-1')
ch(D4, 'GP', m('GP', 160), 3100, t(D1, '09:00:00'), 'ECAB-0131-00000001', cid='GP-OLD-1')
ch(D1, 'GP', m('GP', 161), 3101, t(D1, '09:00:00'), 'ECAB-0131-00000002', cid='GP-OLD-2')
ch(D4, 'GP', m('GP', 161), 3102, t(D4, '09:00:00'), 'ECAB-0131-00000002', cid='GP-OLD-2')
ch(D2, 'GP', m('GP', 162), 3103, t(D2, '00:00:00'), 'ECAB-0131-00000003', cid='GP-OLD-3')
ch(D4, 'GP', m('GP', 162), 3103, t(D2, '00:00:00'), 'ECAB-0131-00000003', cid='GP-OLD-3')
ch(D1, 'ROBI', m('ROBI', 163), 3104, t(D1, '23:59:59'), 'ECAB-0131-00000004', cid='R-OLD-4')
ch(D3, 'ROBI', m('ROBI', 163), 3104, t(D1, '23:59:59'), 'ECAB-0131-00000004', cid='R-OLD-4')
ch(D4, 'ROBI', m('ROBI', 163), 3104, t(D1, '23:59:59'), 'ECAB-0131-00000004', cid='R-OLD-4')

# C32 fuzzy candidate whose order names another operator.
ch(D1, 'GP', m('GP', 164), 3200, t(D1, '19:00:00'), '')
order_ecab(D2, 'ECAB-0132-00000001', m('GP', 164), 'ROBI', 3000, 200, t(D1, '19:30:00'))

# C33 mistyped reference with a charge and a refund: fuzzy on the net.
ch(D1, 'BL', m('BL', 165), 5000, t(D1, '19:00:00'), 'ECAB-0133-0000000X')
ch(D1, 'BL', m('BL', 165), 1000, t(D1, '19:10:00'), 'ECAB-0133-0000000X', 'REFUND')
order_ecab(D2, 'ECAB-0133-00000001', m('BL', 165), 'BL', 4000, 0, t(D1, '19:30:00'))

# C34 an order whose group was disputed, updated later: not a candidate.
order_ecab(D1, 'ECAB-0134-00000001', m('TT', 166), 'TT', 3300, 0, t(D1, '09:00:00'))
ch(D1, 'TT', m('TT', 166), 3000, t(D1, '09:30:00'), 'ECAB-0134-00000001')
order_ecab(D3, 'ECAB-0134-00000001', m('TT', 166), 'TT', 3400, 0, t(D3, '08:00:00'))
ch(D3, 'TT', m('TT', 166), 3400, t(D3, '09:00:00'), '')

# C35 an order update makes a pending group's net equal the payable.
order_ecab(D1, 'ECAB-0135-00000001', m('GP', 167), 'GP', 3500, 0, t(D1, '20:00:00'))
ch(D1, 'GP', m('GP', 167), 3600, t(D1, '20:30:00'), 'ECAB-0135-00000001')
order_ecab(D2, 'ECAB-0135-00000001', m('GP', 167), 'GP', 3500, 100, t(D2, '07:00:00'))

# C36 a BPO order matched (offices), updated to another office later.
tr3 = s10('RR', '36000001')
order_bpo(D1, tr3, m('BL', 168), 'BL', 3600, t(D1, '09:00:00'), office='9400', service='REGISTERED')
ch(D1, 'BL', m('BL', 168), 3600, t(D1, '09:30:00'), tr3)
order_bpo(D2, tr3, m('BL', 168), 'BL', 3600, t(D2, '09:00:00'), office='9401', service='REGISTERED')

# C37 late record on a fuzzy-matched order, and a record on an order-only
# group that lost its order to a fuzzy match in the same run.
ch(D1, 'ROBI', m('ROBI', 169), 3700, t(D1, '22:00:00'), '')
order_ecab(D2, 'ECAB-0137-00000001', m('ROBI', 169), 'ROBI', 3700, 0, t(D1, '22:10:00'))
ch(D2, 'ROBI', m('ROBI', 169), 3700, t(D2, '22:00:00'), 'ECAB-0137-00000001')

# C38 a failed charge above the cap (not capped); a late charge on an
# order cancelled after its match (reopened: AMOUNT_MISMATCH).
ch(D1, 'GP', m('GP', 170), 70000, t(D1, '09:00:00'), 'ECAB-0138-00000009', ok=False)
order_ecab(D1, 'ECAB-0138-00000001', m('GP', 171), 'GP', 3800, 0, t(D1, '09:00:00'))
ch(D1, 'GP', m('GP', 171), 3800, t(D1, '09:10:00'), 'ECAB-0138-00000001')
order_ecab(D2, 'ECAB-0138-00000001', m('GP', 171), 'GP', 3800, 0, t(D2, '09:00:00'), 'CANCELLED')
ch(D2, 'GP', m('GP', 171), 3800, t(D2, '09:10:00'), 'ECAB-0138-00000001')

# C39 a refund from another MSISDN blocks the match (net = payable).
order_ecab(D1, 'ECAB-0139-00000001', m('BL', 172), 'BL', 1000, 0, t(D1, '09:00:00'))
ch(D1, 'BL', m('BL', 172), 1500, t(D1, '09:10:00'), 'ECAB-0139-00000001')
ch(D1, 'BL', m('BL', 173), 500, t(D1, '09:20:00'), 'ECAB-0139-00000001', 'REFUND')

# C40 cancelled order charged and refunded (closed); pending order with
# another MSISDN (MSISDN_MISMATCH).
order_ecab(D1, 'ECAB-0140-00000001', m('TT', 174), 'TT', 4000, 0, t(D1, '09:00:00'), 'CANCELLED')
ch(D1, 'TT', m('TT', 174), 4000, t(D1, '09:10:00'), 'ECAB-0140-00000001')
ch(D1, 'TT', m('TT', 174), 4000, t(D1, '09:20:00'), 'ECAB-0140-00000001', 'REFUND')
order_ecab(D1, 'ECAB-0140-00000002', m('TT', 175), 'TT', 4000, 0, t(D1, '09:00:00'), 'PENDING')
ch(D1, 'TT', m('TT', 176), 4000, t(D1, '09:10:00'), 'ECAB-0140-00000002')

# C41 mixed operators, first record a refund; mixed operators net 0 with
# no order (closed).
order_ecab(D1, 'ECAB-0141-00000001', m('ROBI', 177), 'ROBI', 4100, 0, t(D1, '09:00:00'))
ch(D1, 'TT', m('ROBI', 177), 100, t(D1, '09:00:00'), 'ECAB-0141-00000001', 'REFUND')
ch(D1, 'ROBI', m('ROBI', 177), 4200, t(D1, '09:00:00'), 'ECAB-0141-00000001')
ch(D1, 'ROBI', m('ROBI', 178), 4100, t(D1, '09:00:00'), 'ECAB-0141-0000000Y')
ch(D1, 'BL', m('ROBI', 178), 4100, t(D1, '09:05:00'), 'ECAB-0141-0000000Y', 'REFUND')

# background: a few ordinary matches every day so that no file is empty
for k, d in enumerate(DATES):
    for j, op in enumerate(('GP', 'ROBI', 'BL', 'TT')):
        ref = 'ECAB-09%02d-%08d' % (j, k)
        order_ecab(d, ref, m(op, 900 + 10 * k + j), op, 60000 + 1001 * k + 7 * j, 3,
                   t(d, '06:00:00'), merchant='ECAB-09%02d' % (k % 3))
        ch(d, op, m(op, 900 + 10 * k + j), 40000, t(d, '06:10:00'), ref)
        ch(d, op, m(op, 900 + 10 * k + j), 60003 + 1001 * k + 7 * j - 40000, t(d, '06:11:00'), ref)


# ------------------------------------------------------------------ reading
# Raw detail lines for D2's files: (text or bytes, what the line adds to the
# control sum by SPEC §3).  Order rows are raw records.
extra = {d: {op: [] for op in ('GP', 'ROBI', 'BL', 'TT')} for d in DATES}
bpo_extra = {d: [] for d in DATES}
ecab_extra = {d: [] for d in DATES}


def gpl(i, ms='8801712000%03d', amt='1.00', tm='2026-11-29T10:00:00+06:00', ref=None,
        kind='CHARGE', st='0', add=100, tail=''):
    ms = ms % i if '%' in ms else ms
    ref = 'P%02d' % i if ref is None else ref
    extra[D2]['GP'].append(('GPX-%02d,%s,%s,%s,%s,%s,%s%s' % (i, ms, amt, tm, ref, kind, st, tail), add))


gpl(1, amt='125.5', add=12550)
gpl(2, amt='125.', add=0)
gpl(3, amt='.5', add=0)
gpl(4, amt='0.00', add=0)
gpl(5, amt='100000000.00', add=10000000000)
gpl(6, amt='100000000.01', add=10000000001)
gpl(7, ms='008801712000007')
gpl(8, ms='+88 017-1200-0008')
gpl(9, ms='+01712000009')
gpl(10, ms='0001712000010')
gpl(11, ms='1712000011')
gpl(12, ms='8801212000012')
gpl(13, tm='2026-11-29T10:00:00.123+06:00')
gpl(14, tm='2026-11-29T10:00:00+0600')
gpl(15, tm='2026-11-29T24:00:00+06:00')
gpl(16, tm='2026-11-29T23:59:60+06:00')
gpl(17, tm='2026-11-29T18:00:00Z')
gpl(18, tm='2026-11-29T17:59:59Z')
gpl(19, tm='2026-11-30T05:00:00+11:00')
gpl(20, tm='2026-11-29T12:59:59-05:00')
gpl(21, kind='charge', st='')
gpl(22, st='')
gpl(23, st='00')
gpl(24, ref='\tP24')
gpl(25, ref='P25\rX')
gpl(26, ref='\u09b0\u09c7\u09ab-\u09e8\u09eb')
gpl(27, tail=',extra', add=0)
gpl(28, ref='"P28"', add=0)
extra[D2]['GP'].append((b'GPX-29,8801712000029,1.00,2026-11-29T10:00:00+06:00,P29\xff,CHARGE,0', 0))
extra[D2]['GP'].append((',8801712000030,1.00,2026-11-29T10:00:00+06:00,P30,CHARGE,0', 0))
gpl(31, kind='REFUND', amt='600.00', add=60000)
gpl(32, ms=' 01712000032 ')
gpl(33, amt='007.50', add=750)
gpl(34, amt='+10', add=0)
gpl(35, amt='1e3', add=0)
gpl(36, amt='10.000', add=0)
gpl(37, tm='2026-11-29T10:00:00+06:60')
gpl(38, tm='2026-11-29T10:00:00+24:00')
gpl(39, ms='880 17 1200 0039')
gpl(40, ms='+8801712000040 ')
gpl(41, amt='1.00', tm='', kind='', st='')


def robl(i, ms='01812000%03d', amt='100', ep='1795845600000', ref=None, kind='C', st='SUCCESS', add=100, tail=''):
    ms = ms % i if '%' in ms else ms
    ref = 'Q%02d' % i if ref is None else ref
    extra[D2]['ROBI'].append(('R-X%02d|%s|%s|%s|%s|%s|%s%s' % (i, ms, amt, ep, ref, kind, st, tail), add))


robl(1, ep='-1000')
robl(2, ep='1795888799999')
robl(3, ep='1795888800000')
robl(4, ep='0001795845600000')
robl(5, ep='')
robl(6, kind='c')
robl(7, st='success')
robl(8, st='FAILED')
robl(9, amt='10000000000', add=10000000000)
robl(10, amt='10000000001', add=10000000001)
robl(11, amt='12.5', add=0)
robl(12, ms='+8801812000012')
robl(13, tail='|', add=0)
robl(14, ep='1795845600000.5')
robl(15, st='')


def bll(i, rest, add=1250):
    extra[D2]['BL'].append(('BLX-%02d;' % i + rest, add))


bll(1, '"+880 1912-000001";"12.50";29/11/2026;10:00:00;"B;01";DEBIT;Charged')
bll(2, '01912000002;12.50;29/11/2026;10:00:00;"B""02";DEBIT;Charged')
bll(3, '01912000003;12.50;29/11/2026;10:00:00;"B03"x;DEBIT;Charged', 0)
bll(4, '01912000004;12.50;29/11/2026;10:00:00;B"04;DEBIT;Charged', 0)
bll(5, '01912000005;12.50;31/11/2026;10:00:00;B05;DEBIT;Charged')
bll(6, '01912000006;12.50;29/11/26;10:00:00;B06;DEBIT;Charged')
bll(7, '01912000007;12.50;29/11/2026;24:00:00;B07;DEBIT;Charged')
bll(8, '01912000008;12.50;29/11/2026;10:00:00;"B08;DEBIT;Charged', 0)
bll(9, '01912000009;12.50;30/11/2026;00:00:00;B09;DEBIT;Charged')
bll(10, '01912000010;12.50;29/11/2026;10:00:00;"";DEBIT;Charged')
bll(11, '01912000011;12.50;29/11/2026;10:00:00;B11;Debit;charged')
bll(12, '01912000012;12.50;29/11/2026;10:00:00;=cmd|x;DEBIT;Charged')
bll(13, '01912000013;12.50;29/11/2026;10:00:00; "B13";DEBIT;Charged', 0)
bll(14, '01912000014;12.50;29/11/2026;10:00:00;B14;DEBIT;Failed')
bll(15, '01912000015;12.50;29/11/2026;10:00:00;B15;CREDIT;Charged')
bll(16, '01912000016;"";29/11/2026;10:00:00;B16;DEBIT;Charged', 0)
bll(17, '"01912000017";12.50;"29/11/2026";"10:00:00";"B17";"DEBIT";"Charged"')


def ttl(i, ms='01512000%03d', amt='100', tm='20261129100000', ref=None, kind='CHG', st='00', add=100, tag='D'):
    ms = ms % i if '%' in ms else ms
    ref = 'T%02d' % i if ref is None else ref
    extra[D2]['TT'].append(('\t'.join([tag, 'TTX-%02d' % i, ms, amt, tm, ref, kind, st]), add))


ttl(1, st='')
ttl(2, st='01')
ttl(3, tm='20261129240000')
ttl(4, tag='X', add=0)
ttl(5, amt='0', add=0)
ttl(6, kind='chg')
ttl(7, amt='00150', add=150)
ttl(8, tm='2026112910000')
ttl(9, tm='20261130000000')
ttl(10, ms='+880 1512-000010')

trc10 = trc11 = None
for k in range(1000000):
    n8 = '%08d' % (29000000 + k)
    w = [8, 6, 4, 2, 3, 5, 9, 7]
    r = sum(int(c) * x for c, x in zip(n8, w)) % 11
    if r == 1 and trc10 is None:
        trc10 = s10('EE', n8)
    if r == 0 and trc11 is None:
        trc11 = s10('EE', n8)
    if trc10 and trc11:
        break
ok1, ok2, ok3 = s10('RR', '29000101'), s10('RR', '29000102'), s10('RR', '29000103')
B = '01712000%03d,GP,PARCEL,100,2026-11-29 10:00:00,PAID'
bpo_extra[D2] += [
    trc10 + ',1207,' + B % 1,
    trc11 + ',1207,' + B % 2,
    s10('RR', '29000001').lower() + ',1207,' + B % 3,
    s10('RR', '29000004') + ',0999,' + B % 4,
    s10('RR', '29000005') + ',9500,' + B % 5,
    s10('RR', '29000006') + ',9499,' + B % 6,
    s10('RR', '29000007') + ',1000,' + B % 7,
    s10('RR', '29000008') + ',1207,0171200000,XX,PARCEL,100,2026-11-29 10:00:00,PAID',
    s10('RR', '29000009') + ',1207,01712000009,gp,PARCEL,100,2026-11-29 10:00:00,PAID',
    s10('RR', '29000010') + ',1207,01712000010,GP,Parcel,100,2026-11-29 10:00:00,PAID',
    s10('RR', '29000011') + ',1207,01712000011,GP,PARCEL,0,2026-11-29 10:00:00,PAID',
    s10('RR', '29000012') + ',1207,01712000012,GP,PARCEL,10000000001,2026-11-29 10:00:00,PAID',
    s10('RR', '29000013') + ',1207,01712000013,GP,PARCEL,1.5,2026-11-29 10:00:00,PAID',
    s10('RR', '29000014') + ',1207,01712000014,GP,PARCEL,100,2026-11-29T10:00:00,PAID',
    s10('RR', '29000015') + ',1207,01712000015,GP,PARCEL,100,2026-02-30 10:00:00,PAID',
    s10('RR', '29000016') + ',1207,01712000016,GP,PARCEL,100,2026-11-29 10:00:00,paid',
    '"%s","1207","01712000017","GP","PARCEL","100","2026-11-29 10:00:00","PAID"' % s10('RR', '29000017'),
    '',
    ok1 + ',1207,01712000019,GP,PARCEL,100,2026-11-29 10:00:00,UNPAID',
    ok1 + ',1207,01712000019,GP,PARCEL,100,2026-11-29 10:00:00,PAID',
    ok1 + ',1207,01712000019,GP,PARCEL,101,2026-11-29 10:00:00,PAID',
    ok2 + ',1207,01712000020,GP,PARCEL,100,2026-11-29 10:00:00,PAID,',
    'XX12345678,12A4,' + B % 21,
    ok3 + ',1207,01712000022,GP,PARCEL,100,2026-11-29 10:00:00,PAID',
]
E = ',8801712000%03d,GP,100,0,2026-11-29T10:00:00+06:00,PAID,'
ecab_extra[D2] += [
    ',ECAB-E,01712,GP,100,0,2026-11-29T10:00:00+06:00,PAID,',
    'E02,' + E % 2,
    'E03a,ECAB-E' + E.replace(',100,0,', ',0,0,') % 3,
    'E03b,ECAB-E' + E.replace(',100,0,', ',100,,') % 4,
    'E04a,ECAB-E,8801712000005,GP,100,0,2026-11-29T10:00:00Z,PAID,',
    'E04b,ECAB-E,8801712000006,GP,100,0,2026-11-29 10:00:00,PAID,',
    'E05a,ECAB-E,8801712000007,GP,100,0,2026-11-29T10:00:00+06:00,PAID,""',
    'E05b,ECAB-E,8801712000008,GP,100,0,2026-11-29T10:00:00+06:00,WAIT,EE123456789BD',
    'E06,ECAB-E,8801712000009,GP,100,0,2026-11-29T10:00:00+06:00,PAID,EE123456789BD',
    '"E07,\nX",ECAB-E,8801712000010,GP,100,0,2026-11-29T10:00:00+06:00,PAID,',
    s10('RR', '29000010') + ',ECAB-E,8801712000011,GP,100,0,2026-11-29T10:00:00+06:00,PAID,',
    'E09,ECAB-E,8801712000012,GP,100,0,2026-11-29T10:00:00+06:00,NOPE,',
    'E09,ECAB-E,8801712000012,GP,100,0,2026-11-29T10:00:00+06:00,PAID,',
    'E09,ECAB-E,8801712000012,GP,100,0,2026-11-29T10:00:00+06:00,PAID,',
    '-E10,ECAB-E,8801712000013,GP,100,0,2026-11-29T10:00:00+06:00,PAID,',
    '@E10,"ECAB,E",8801712000014,GP,100,0,2026-11-29T10:00:00+06:00,PAID,',
    'E11,ECAB-E,+880 1712-000015,GP,100,0,2026-11-29T10:00:00+06:00,PAID,',
    'E12,ECAB-E,8801712000016,GP,100,0,2026-11-29T10:00:00.5+06:00,PAID,',
    'E13,ECAB-E,8801712000017,GP,100,-0,2026-11-29T10:00:00+06:00,PAID,',
    'E14,ECAB-E,8801712000018,GP,100,0,2026-11-29T10:00:00+06:00,PAID',
    ok3 + ',ECAB-E,8801712000019,GP,100,0,2026-11-29T10:00:00+06:00,PAID,',
    'E16,ECAB-E,8801712000020,GP,100,0,2026-11-29T10:00:00+06:00,PAID,' + trc11,
    'E17,ECAB-E,8801712000021,ROBI,100,5,2026-11-29T10:00:00+06:00,PENDING,ab"c',
]


# ------------------------------------------------------------------ writers
def taka(p):
    return '%d.%02d' % (p // 100, p % 100)


def nat(ms):
    return '0' + ms[3:]


def ext(op, d, rows, recs):
    rows.extend(x[0] for x in extra[d][op])
    return (len(recs) + len(extra[d][op]),
            sum(r[2] for r in recs) + sum(x[1] for x in extra[d][op]))


def join(rows, sep):
    return sep.join(r if isinstance(r, bytes) else r.encode() for r in rows)


def write(out):
    inbox = os.path.join(out, 'inbox')
    os.makedirs(inbox, exist_ok=True)
    for d in DATES:
        ymd = d.strftime('%Y%m%d')
        # GP
        rows = ['TXN_ID,MSISDN,AMOUNT_BDT,TXN_TIME,MERCHANT_REF,TXN_TYPE,RESULT']
        recs = charges[d]['GP']
        for cid, ms, a, w, ref, kind, ok in recs:
            rows.append(','.join([cid, ms, taka(a), w.isoformat(), ref, kind, '0' if ok else '7']))
        n, tot = ext('GP', d, rows, recs)
        rows.append('TRAILER,%d,%s' % (n, taka(tot)))
        with open(os.path.join(inbox, 'GP_DCB_%s.csv.gz' % ymd), 'wb') as f:
            f.write(gzip.compress(join(rows, b'\n') + b'\n', mtime=0))
        # ROBI
        rows = ['id|msisdn|amount_poisha|epoch_ms|ref|type|status']
        recs = charges[d]['ROBI']
        for cid, ms, a, w, ref, kind, ok in recs:
            rows.append('|'.join([cid, nat(ms), str(a), str(int(w.timestamp()) * 1000 + 123),
                                  ref, 'C' if kind == 'CHARGE' else 'R',
                                  'SUCCESS' if ok else 'FAILED']))
        n, tot = ext('ROBI', d, rows, recs)
        rows.append('#EOF|%d|%d' % (n, tot))
        open(os.path.join(inbox, 'robi_dcb_%s.txt' % d.isoformat()), 'wb').write(join(rows, b'\n') + b'\n')
        # BL
        rows = ['Transaction ID;Subscriber;Amount;Date;Time;Reference;Type;Status']
        recs = charges[d]['BL']
        for cid, ms, a, w, ref, kind, ok in recs:
            lw = w.astimezone(BD)
            r = ref
            if ';' in r or '"' in r:
                r = '"' + r.replace('"', '""') + '"'
            rows.append(';'.join([cid, '+' + ms, taka(a), lw.strftime('%d/%m/%Y'),
                                  lw.strftime('%H:%M:%S'), r,
                                  'DEBIT' if kind == 'CHARGE' else 'CREDIT',
                                  'Charged' if ok else 'Failed']))
        n, tot = ext('BL', d, rows, recs)
        rows.append('TOTAL;%d;%s' % (n, taka(tot)))
        open(os.path.join(inbox, 'BL-DCB-%s.csv' % d.strftime('%d%m%Y')), 'wb').write(
            b'\xef\xbb\xbf' + join(rows, b'\r\n') + b'\r\n')
        # TT
        recs = charges[d]['TT']
        rows = ['H\tTELETALK\t%s\t%d' % (ymd, len(recs) + len(extra[d]['TT']))]
        for cid, ms, a, w, ref, kind, ok in recs:
            lw = w.astimezone(BD)
            rows.append('\t'.join(['D', cid, nat(ms), str(a), lw.strftime('%Y%m%d%H%M%S'), ref,
                                   'CHG' if kind == 'CHARGE' else 'RFD', '00' if ok else '11']))
        n, tot = ext('TT', d, rows, recs)
        rows.append('T\t%d\t%d' % (n, tot))
        open(os.path.join(inbox, 'TT_DCB_%s.dat' % ymd), 'wb').write(join(rows, b'\n') + b'\n')
        # orders
        rows = ['tracking_no,office_code,msisdn,operator,service,postage_poisha,booked_at,payment_status']
        for tr, office, ms, op, svc, post, w, st in bpo[d]:
            rows.append(','.join([tr, office, nat(ms), op, svc, str(post),
                                  w.astimezone(BD).strftime('%Y-%m-%d %H:%M:%S'), st]))
        rows += bpo_extra[d]
        open(os.path.join(inbox, 'bpo_orders_%s.csv' % ymd), 'w').write('\n'.join(rows) + '\n')
        rows = ['order_ref,merchant_id,msisdn,operator,goods_poisha,delivery_poisha,created_at,payment_status,tracking_no']
        for ref, mer, ms, op, g, dl, w, st, tr in ecab[d]:
            rows.append(','.join([ref, mer, ms, op, str(g), str(dl),
                                  w.astimezone(BD).isoformat(), st, tr]))
        rows += ecab_extra[d]
        open(os.path.join(inbox, 'ecab_orders_%s.csv' % ymd), 'w').write('\n'.join(rows) + '\n')


write(sys.argv[1])
