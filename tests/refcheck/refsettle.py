#!/usr/bin/env python3
"""Reference model of the outputs of `settle run` (SPEC §5, §6, §8).

An independent cross-check: parsing of single files is taken from the
project's own `settle ingest` and `settle orders` (one file at a time),
and everything that spans files and dates is computed here: cross-day
duplicate charge ids, cross-day DUPLICATE_REF, grouping, the cap,
matching, windows, the classification table, fuzzy matching, reopened
groups, dispute ids, statements, payouts, offices and the tiered
operator share.

usage: refsettle.py [--parse tools|own] --config settle.yaml --bin DIR
                    --out DIR DATE...
With --parse own the single files are read by refparse.py instead.
Writes OUT/YYYY-MM-DD/{charges,rejects,matches,disputes,statement-OP,
payouts,offices}.csv for each date, dates run in the order given.
"""

import argparse
import csv
import datetime as dt
import gzip
import io
import os
import re
import subprocess
import sys
from fractions import Fraction

BD = dt.timezone(dt.timedelta(hours=6))
PREFIX_CHARS = ('=', '+', '-', '@', '\t', '\r')


# ---------------------------------------------------------------- config

def parse_config(path):
    """Reads the settle.yaml layout of SPEC §8 (a small subset of YAML)."""
    cfg = {'window_hours': 72, 'dedup_days': 80,
           'per_charge_cap_poisha': 50000, 'dcb_fee_bps': 1500,
           'operators': [], 'orders': {}}
    ops = {}
    section = None
    cur = None
    for raw in open(path, encoding='utf-8'):
        line = raw.split('#', 1)[0].rstrip() if not raw.lstrip().startswith('- {') else raw.rstrip()
        if not line.strip():
            continue
        ind = len(line) - len(line.lstrip())
        s = line.strip()
        if ind == 0:
            k, _, v = s.partition(':')
            v = v.strip()
            section = None
            if k in ('operators', 'orders'):
                section = k
            elif k in ('window_hours', 'dedup_days', 'per_charge_cap_poisha', 'dcb_fee_bps'):
                cfg[k] = int(v)
            else:
                cfg[k] = v
            continue
        if section == 'orders':
            k, _, v = s.partition(':')
            cfg['orders'][k] = v.strip()
        elif section == 'operators':
            if ind == 2:
                name = s.rstrip(':')
                cur = {'name': name, 'tiers': []}
                ops[name] = cur
                cfg['operators'].append(name)
            elif s.startswith('- {'):
                body = s[3:].rstrip('}').strip()
                t = {}
                for part in body.split(','):
                    k, _, v = part.partition(':')
                    t[k.strip()] = int(v.strip())
                cur['tiers'].append((t.get('upto_poisha'), t['bps']))
            else:
                k, _, v = s.partition(':')
                v = v.strip()
                if k in ('schema', 'file'):
                    cur[k] = v.strip('"\'')
    cfg['ops'] = ops
    return cfg


def fill_pattern(pat, d):
    return (pat.replace('{YYYYMMDD}', d.strftime('%Y%m%d'))
               .replace('{YYYY-MM-DD}', d.strftime('%Y-%m-%d'))
               .replace('{DDMMYYYY}', d.strftime('%d%m%Y')))


def schema_info(path):
    """Delimiter, trailer sum unit and MSISDN prefixes of a dialect schema."""
    txt = open(path, encoding='utf-8').read()
    info = {}
    m = re.search(r'^delimiter:\s*(.*)$', txt, re.M)
    d = m.group(1).strip()
    if d.startswith('"') or d.startswith("'"):
        d = d[1:-1]
    d = d.replace('\\t', '\t')
    info['delimiter'] = d
    m = re.search(r'^trailer:.*sum_unit:\s*(\w+)', txt, re.M)
    info['sum_unit'] = m.group(1)
    m = re.search(r'^trailer:.*count:\s*(\d+)', txt, re.M)
    info['count_field'] = int(m.group(1))
    m = re.search(r'^trailer:.*sum:\s*(\d+)', txt, re.M)
    info['sum_field'] = int(m.group(1))
    m = re.search(r'^prefixes:\s*\[(.*)\]', txt, re.M)
    info['prefixes'] = [p.strip().strip('"\'') for p in m.group(1).split(',')] if m else []
    return info


# ---------------------------------------------------------------- helpers

def unprefix(s):
    if len(s) >= 2 and s[0] == "'" and s[1] in PREFIX_CHARS:
        return s[1:]
    return s


def parse_instant(s):
    return int(dt.datetime.strptime(s, '%Y-%m-%dT%H:%M:%SZ')
               .replace(tzinfo=dt.timezone.utc).timestamp())


def bdate_of(ts):
    return dt.datetime.fromtimestamp(ts, BD).date()


def end_of(d):
    """Epoch of D+1 00:00 +06:00."""
    n = d + dt.timedelta(days=1)
    return int(dt.datetime(n.year, n.month, n.day, tzinfo=BD).timestamp())


def taka_to_poisha(s):
    if '.' in s:
        a, b = s.split('.')
        return int(a) * 100 + int((b + '00')[:2])
    return int(s) * 100


def rhe(fr):
    """Round a Fraction half to even."""
    fr = Fraction(fr)
    f = fr.numerator // fr.denominator
    rem = fr - f
    if rem > Fraction(1, 2):
        return f + 1
    if rem < Fraction(1, 2):
        return f
    return f + (f % 2)


def tier_share(x, tiers):
    total = Fraction(0)
    lo = 0
    for upto, bps in tiers:
        hi = upto if upto is not None else None
        if hi is None:
            part = x - lo
        else:
            part = min(x, hi) - lo
        if part > 0:
            total += Fraction(part * bps, 10000)
        if hi is None or x <= hi:
            break
        lo = hi
    return total


def cell(v):
    if v is None:
        return ''
    if isinstance(v, int):
        return str(v)
    s = v
    if s and s[0] in PREFIX_CHARS:
        s = "'" + s
    if any(c in s for c in ',"\n\r'):
        s = '"' + s.replace('"', '""') + '"'
    return s


def write_csv(path, header, rows):
    with open(path, 'w', encoding='utf-8', newline='') as f:
        f.write(','.join(header) + '\n')
        for r in rows:
            f.write(','.join(cell(v) for v in r) + '\n')


def bkey(s):
    return s.encode('utf-8', 'surrogateescape') if isinstance(s, str) else s


def read_rows(text):
    rd = csv.reader(io.StringIO(text, newline=''))
    rows = list(rd)
    if not rows:
        return [], []
    return rows[0], rows[1:]


def raw_lines(path):
    data = open(path, 'rb').read()
    if path.endswith('.gz'):
        data = gzip.decompress(data)
    if data.startswith(b'\xef\xbb\xbf'):
        data = data[3:]
    lines = data.split(b'\n')
    return [l[:-1] if l.endswith(b'\r') else l for l in lines]


def raw_text(b):
    out = []
    i = 0
    s = b.decode('utf-8', 'surrogateescape')
    for ch in s:
        o = ord(ch)
        if 0xDC80 <= o <= 0xDCFF:
            out.append('\\x%02x' % (o - 0xDC00))
        else:
            out.append(ch)
    return ''.join(out)


# ---------------------------------------------------------------- model

class Group:
    __slots__ = ('ref', 'records', 'reopened', 'gid', 'created')

    def __init__(self, ref, reopened, gid):
        self.ref = ref
        self.records = []
        self.reopened = reopened
        self.gid = gid


def corder(r):
    return (r['t'], bkey(r['operator']), bkey(r['charge_id']))


class Ref:
    """What is known about one payment reference."""
    __slots__ = ('state', 'group', 'reopen')

    def __init__(self):
        self.state = 'new'      # new | pending | matched | done
        self.group = None       # pending ordinary group
        self.reopen = None      # open reopened group


class Engine:
    def __init__(self, cfg, bindir, base):
        self.cfg = cfg
        self.bindir = bindir
        self.base = base
        self.ops = cfg['operators']
        self.schemas = {op: schema_info(os.path.join(base, cfg['ops'][op]['schema']))
                        for op in self.ops}
        self.seen_ids = {op: {} for op in self.ops}   # id -> (content, t)
        self.orders = {}       # ref -> order dict (latest row)
        self.order_kind = {}   # ref -> BPO/ECAB
        self.refs = {}         # ref -> Ref
        self.pending = []      # list of Group
        self.mtd = {op: 0 for op in self.ops}
        self.mtd_month = None
        self.gid = 0
        self.window = cfg['window_hours'] * 3600

    def ref(self, r):
        x = self.refs.get(r)
        if x is None:
            x = Ref()
            self.refs[r] = x
        return x

    def new_group(self, ref, reopened):
        self.gid += 1
        g = Group(ref, reopened, self.gid)
        self.pending.append(g)
        return g

    # ---- ingest with the readers of refparse.py
    def ingest_own(self, d):
        import refparse
        cfg = self.cfg
        inbox = os.path.join(self.base, cfg['inbox'])
        charges, rejects, stats = [], [], {}
        lo_date = d - dt.timedelta(days=cfg['dedup_days'])
        for op in self.ops:
            fname = fill_pattern(cfg['ops'][op]['file'], d)
            mem = self.seen_ids[op]
            for cid in [k for k, v in mem.items() if bdate_of(v[1]) < lo_date]:
                del mem[cid]
            try:
                kept, rej, received = refparse.read_charges(
                    os.path.join(inbox, fname), fname, op, d, cfg['dedup_days'], mem)
            except refparse.Refused as e:
                sys.exit('refused: %s' % e)
            rejects.extend(rej)
            charges.extend(kept)
            stats[op] = self.op_stats(op, kept, len(rej), received)
        orders = []
        for k, kind in (('bpo', 'BPO'), ('ecab', 'ECAB')):
            fname = fill_pattern(cfg['orders'][k], d)
            try:
                rows, rej = refparse.read_orders(os.path.join(inbox, fname), fname, kind,
                                                 self.ops, self.order_kind)
            except refparse.Refused as e:
                sys.exit('refused: %s' % e)
            orders.extend(rows)
            rejects.extend(rej)
        return charges, rejects, stats, orders

    def op_stats(self, op, kept, nrej, received):
        tcount, tsum = received
        st = {'received': received}
        failed = [r for r in kept if r['status'] == 'FAILED']
        sc = [r for r in kept if r['status'] == 'SUCCESS' and r['kind'] == 'CHARGE']
        sr = [r for r in kept if r['status'] == 'SUCCESS' and r['kind'] == 'REFUND']
        st['failed'] = (len(failed), sum(r['amount'] for r in failed))
        st['success'] = (len(sc), sum(r['amount'] for r in sc))
        st['refunds'] = (len(sr), sum(r['amount'] for r in sr))
        st['rejected'] = (nrej, tsum - st['failed'][1] - st['success'][1] - st['refunds'][1])
        own = self.schemas[op]['prefixes']
        others = set()
        for o2 in self.ops:
            if o2 != op:
                others.update(self.schemas[o2]['prefixes'])
        others -= set(own)
        st['ported'] = sum(1 for r in kept
                           if r['status'] == 'SUCCESS' and '0' + r['msisdn'][3:5] in others)
        return st

    # ---- ingest
    def ingest(self, d):
        if self.own_parse:
            return self.ingest_own(d)
        cfg = self.cfg
        inbox = os.path.join(self.base, cfg['inbox'])
        charges = []
        rejects = []
        stats = {}
        lo_date = d - dt.timedelta(days=cfg['dedup_days'])
        for op in self.ops:
            fname = fill_pattern(cfg['ops'][op]['file'], d)
            path = os.path.join(inbox, fname)
            rejpath = os.path.join(self.tmp, 'rej-%s.csv' % op)
            p = subprocess.run([os.path.join(self.bindir, 'settle-ingest'), '-q',
                                '--schema', os.path.join(self.base, cfg['ops'][op]['schema']),
                                '--date', d.isoformat(), '--dedup-days', str(cfg['dedup_days']),
                                '--rejects', rejpath, path],
                               capture_output=True)
            if p.returncode != 0:
                sys.exit('settle-ingest failed on %s: %s' % (path, p.stderr.decode()))
            hdr, rows = read_rows(p.stdout.decode('utf-8'))
            lines = raw_lines(path)
            # trailer
            tl = [l for l in lines if l != b'']
            sch = self.schemas[op]
            tf = tl[-1].decode('utf-8').split(sch['delimiter'])
            tcount = int(tf[sch['count_field']])
            tsum = tf[sch['sum_field']]
            tsum = taka_to_poisha(tsum) if sch['sum_unit'] == 'taka' else int(tsum)
            rh, rrows = read_rows(open(rejpath, encoding='utf-8', errors='surrogateescape').read())
            nrej = 0
            for rr in rrows:
                rec = dict(zip(rh, rr))
                rejects.append((rec['source_file'], int(rec['source_line']), rec['reason'],
                                unprefix(rec['detail']), unprefix(rec['raw'])))
                nrej += 1
            seen = self.seen_ids[op]
            # forget ids whose charged_at is stale now
            for cid in [k for k, v in seen.items() if bdate_of(v[1]) < lo_date]:
                del seen[cid]
            kept = []
            for row in rows:
                r = dict(zip(hdr, [unprefix(x) for x in row]))
                r['amount'] = int(r['amount_poisha'])
                r['t'] = parse_instant(r['charged_at'])
                r['source_line'] = int(r['source_line'])
                content = (r['msisdn'], r['amount'], r['t'], r['order_ref'], r['kind'], r['status'])
                prev = seen.get(r['charge_id'])
                if prev is not None and prev[2] != d:
                    reason = 'DUPLICATE_ID' if prev[0] == content else 'ID_CONFLICT'
                    raw = raw_text(lines[r['source_line'] - 1])
                    rejects.append((r['source_file'], r['source_line'], reason,
                                    r['charge_id'], raw))
                    nrej += 1
                    continue
                kept.append(r)
            for r in kept:
                seen[r['charge_id']] = ((r['msisdn'], r['amount'], r['t'], r['order_ref'],
                                         r['kind'], r['status']), r['t'], d)
            charges.extend(kept)
            st = {'received': (tcount, tsum)}
            failed = [r for r in kept if r['status'] == 'FAILED']
            sc = [r for r in kept if r['status'] == 'SUCCESS' and r['kind'] == 'CHARGE']
            sr = [r for r in kept if r['status'] == 'SUCCESS' and r['kind'] == 'REFUND']
            st['failed'] = (len(failed), sum(r['amount'] for r in failed))
            st['success'] = (len(sc), sum(r['amount'] for r in sc))
            st['refunds'] = (len(sr), sum(r['amount'] for r in sr))
            st['rejected'] = (nrej, tsum - st['failed'][1] - st['success'][1] - st['refunds'][1])
            if nrej != tcount - len(kept):
                print('warning: %s: count identity off (%d rejects, %d kept, %d count)'
                      % (fname, nrej, len(kept), tcount), file=sys.stderr)
            own = self.schemas[op]['prefixes']
            others = set()
            for o2 in self.ops:
                if o2 != op:
                    others.update(self.schemas[o2]['prefixes'])
            others -= set(own)
            ported = 0
            for r in kept:
                if r['status'] == 'SUCCESS':
                    nat = '0' + r['msisdn'][3:5]
                    if nat in others:
                        ported += 1
            st['ported'] = ported
            stats[op] = st
        # orders
        ofiles = [os.path.join(inbox, fill_pattern(cfg['orders'][k], d)) for k in ('bpo', 'ecab')]
        rejpath = os.path.join(self.tmp, 'rej-orders.csv')
        p = subprocess.run([os.path.join(self.bindir, 'settle-orders'), '-q',
                            '--operators', ','.join(self.ops),
                            '--rejects', rejpath] + ofiles, capture_output=True)
        if p.returncode != 0:
            sys.exit('settle-orders failed: %s' % p.stderr.decode())
        hdr, rows = read_rows(p.stdout.decode('utf-8'))
        rh, rrows = read_rows(open(rejpath, encoding='utf-8', errors='surrogateescape').read())
        for rr in rrows:
            rec = dict(zip(rh, rr))
            rejects.append((rec['source_file'], int(rec['source_line']), rec['reason'],
                            unprefix(rec['detail']), None))
        orows = []
        for row in rows:
            o = dict(zip(hdr, [unprefix(x) for x in row]))
            o['source_line'] = int(o['source_line'])
            o['t'] = parse_instant(o['ordered_at'])
            o['payable'] = int(o['payable_poisha'])
            orows.append(o)
        # rows in file order: BPO file first, then ECAB
        orows.sort(key=lambda o: (0 if o['order_kind'] == 'BPO' else 1, o['source_line']))
        accepted = []
        for o in orows:
            k = self.order_kind.get(o['order_ref'])
            if k is not None and k != o['order_kind']:
                rejects.append((o['source_file'], o['source_line'], 'DUPLICATE_REF',
                                o['order_ref'], None))
                continue
            accepted.append(o)
        return charges, rejects, stats, accepted

    # ---- one business date
    def run_date(self, d, outdir):
        cfg = self.cfg
        if self.mtd_month != (d.year, d.month):
            self.mtd = {op: 0 for op in self.ops}
            self.mtd_month = (d.year, d.month)
        charges, rejects, stats, orders = self.ingest(d)
        # fill raw for order rejects found here
        fixed = []
        for rj in rejects:
            if rj[4] is None:
                path = os.path.join(self.base, cfg['inbox'], rj[0])
                lines = self.order_records(path)
                fixed.append((rj[0], rj[1], rj[2], rj[3], lines.get(rj[1], '')))
            else:
                fixed.append(rj)
        rejects = fixed

        disputes = []   # dicts
        matches = []

        # orders
        for o in orders:
            ref = o['order_ref']
            self.orders[ref] = o
            self.order_kind[ref] = o['order_kind']
            o.setdefault('payable', int(o.get('payable_poisha') or 0))
            R = self.ref(ref)
            if R.state == 'new':
                R.state = 'pending'
                R.group = self.new_group(ref, False)
            # pending: the group takes the new row; matched/done: only the order

        # records
        cap = cfg['per_charge_cap_poisha']
        recs = sorted([r for r in charges if r['status'] == 'SUCCESS'], key=corder)
        for r in recs:
            if r['kind'] == 'CHARGE' and r['amount'] > cap:
                disputes.append({'operator': r['operator'], 'reason': 'CAP_EXCEEDED',
                                 'order_ref': r['order_ref'], 'charge_ids': r['charge_id'],
                                 'msisdn': r['msisdn'], 'amount': r['amount'],
                                 'detail': 'charge above cap %d' % cap})
                continue
            ref = r['order_ref']
            if ref == '':
                g = self.new_group('', False)
                g.records.append(r)
                continue
            R = self.ref(ref)
            if R.state == 'matched':
                if R.reopen is None:
                    R.reopen = self.new_group(ref, True)
                R.reopen.records.append(r)
            elif R.state == 'pending':
                R.group.records.append(r)
            else:
                R.state = 'pending'
                R.group = self.new_group(ref, False)
                R.group.records.append(r)

        def net(g):
            return sum(x['amount'] if x['kind'] == 'CHARGE' else -x['amount'] for x in g.records)

        def g_order(g):
            if g.reopened or g.ref == '':
                return self.orders.get(g.ref) if g.reopened else None
            return self.orders.get(g.ref)

        def g_op(g):
            if g.records:
                return sorted(g.records, key=corder)[0]['operator']
            o = g_order(g)
            return o['operator'] if o else None

        def g_msisdn(g):
            if g.records:
                return sorted(g.records, key=corder)[0]['msisdn']
            o = g_order(g)
            return o['msisdn'] if o else ''

        def ids(g):
            return ';'.join(x['charge_id'] for x in sorted(g.records, key=corder))

        matched_groups = []

        def do_match(g, o, kind):
            recs = sorted(g.records, key=corder)
            n = net(g)
            m = {'order_ref': o['order_ref'], 'order_kind': o['order_kind'],
                 'operator': recs[0]['operator'], 'msisdn': o['msisdn'],
                 'payable': o['payable'], 'net': n, 'match': kind,
                 'charge_ids': ids(g), 'order': o}
            matches.append(m)
            R = self.ref(o['order_ref'])
            R.state = 'matched'
            R.group = None
            R.reopen = None

        # matching
        for g in list(self.pending):
            if g.reopened or g.ref == '' or not g.records:
                continue
            o = g_order(g)
            if o is None or o['payment_status'] not in ('PAID', 'PENDING'):
                continue
            ops = {x['operator'] for x in g.records}
            if len(ops) != 1:
                continue
            if any(x['msisdn'] != o['msisdn'] for x in g.records):
                continue
            if net(g) != o['payable']:
                continue
            nch = sum(1 for x in g.records if x['kind'] == 'CHARGE')
            self.pending.remove(g)
            do_match(g, o, 'EXACT' if nch == 1 else 'SPLIT')

        # closing
        endd = end_of(d)

        def deadline(g):
            if g.reopened:
                return min(x['t'] for x in g.records) + self.window
            o = g_order(g)
            if o is not None:
                return o['t'] + self.window
            return min(x['t'] for x in g.records) + self.window

        closing = [g for g in self.pending if deadline(g) <= endd]
        closing.sort(key=lambda g: (corder(sorted(g.records, key=corder)[0]) if g.records
                                    else (float('inf'),), g.gid))
        fuzzy_note = {}
        # fuzzy pass
        for g in closing:
            if g.reopened or g_order(g) is not None or not g.records:
                continue
            if not any(x['kind'] == 'CHARGE' for x in g.records):
                continue
            n = net(g)
            if n == 0:
                continue
            msis = {x['msisdn'] for x in g.records}
            ops = {x['operator'] for x in g.records}
            if len(msis) != 1 or len(ops) != 1:
                fuzzy_note[g.gid] = 'no fuzzy: records differ in msisdn or operator'
                continue
            ms = next(iter(msis))
            first_t = min(x['t'] for x in g.records)
            cands = []
            for ref2, R2 in self.refs.items():
                if R2.state != 'pending' or R2.group is None or R2.group.records:
                    continue
                if R2.group not in self.pending:
                    continue
                o = self.orders.get(ref2)
                if o is None or o['payment_status'] not in ('PAID', 'PENDING'):
                    continue
                if o['msisdn'] != ms or o['payable'] != n:
                    continue
                if o['t'] < first_t - self.window:
                    continue
                cands.append(ref2)
            if len(cands) == 1:
                R2 = self.refs[cands[0]]
                og = R2.group
                self.pending.remove(og)
                self.pending.remove(g)
                o = self.orders[cands[0]]
                do_match(g, o, 'FUZZY')
                if g.ref != '':
                    # the group's own reference is free again
                    Rg = self.refs.get(g.ref)
                    if Rg is not None and Rg.group is g:
                        del self.refs[g.ref]
            elif len(cands) > 1:
                fuzzy_note[g.gid] = 'ambiguous: %d candidates' % len(cands)

        for g in closing:
            if g not in self.pending:
                continue
            self.pending.remove(g)
            n = net(g)
            o = g_order(g)
            has_charge = any(x['kind'] == 'CHARGE' for x in g.records)
            has_refund = any(x['kind'] == 'REFUND' for x in g.records)
            payable = 0 if g.reopened else (o['payable'] if o else 0)
            reason = None
            amount = None
            detail = ''
            if has_refund and not has_charge:
                reason, amount, detail = 'REFUND_NO_CHARGE', n, 'refund without charge'
            elif not g.reopened and o is None:
                if n != 0:
                    reason, amount = 'CHARGE_NO_ORDER', n
                    detail = fuzzy_note.get(g.gid, 'no order')
            elif g.reopened:
                if n != 0:
                    reason, amount, detail = 'AMOUNT_MISMATCH', n, 'late records after match'
            elif o['payment_status'] == 'CANCELLED':
                if n != 0:
                    reason, amount, detail = 'CANCELLED_CHARGED', n, 'order cancelled'
            elif n == 0:
                if o['payment_status'] == 'PAID':
                    reason, amount, detail = 'ORDER_NO_CHARGE', o['payable'], 'no charge'
            elif len({x['operator'] for x in g.records}) > 1:
                reason, amount = 'AMOUNT_MISMATCH', n - payable
                detail = 'mixed operators'
            elif n == payable:
                reason, amount, detail = 'MSISDN_MISMATCH', n, 'order msisdn %s' % o['msisdn']
            else:
                reason, amount = 'AMOUNT_MISMATCH', n - payable
                detail = 'payable %d net %d' % (payable, n)
            if g.ref != '':
                R = self.refs[g.ref]
                if g.reopened:
                    R.reopen = None
                elif R.group is g:
                    R.state = 'done'
                    R.group = None
            if reason:
                disputes.append({'operator': g_op(g), 'reason': reason, 'order_ref': g.ref,
                                 'charge_ids': ids(g), 'msisdn': g_msisdn(g),
                                 'amount': amount, 'detail': detail})

        # ---- outputs
        os.makedirs(outdir, exist_ok=True)
        ch_rows = []
        for r in sorted(charges, key=lambda r: (bkey(r['operator']), bkey(r['charge_id']))):
            ch_rows.append((r['operator'], r['charge_id'], r['msisdn'], r['amount'],
                            r['charged_at'], r['order_ref'], r['kind'], r['status'],
                            r['source_file'], r['source_line']))
        write_csv(os.path.join(outdir, 'charges.csv'),
                  ['operator', 'charge_id', 'msisdn', 'amount_poisha', 'charged_at',
                   'order_ref', 'kind', 'status', 'source_file', 'source_line'], ch_rows)
        rejects.sort(key=lambda x: (bkey(x[0]), x[1]))
        write_csv(os.path.join(outdir, 'rejects.csv'),
                  ['source_file', 'source_line', 'reason', 'detail', 'raw'], rejects)
        mrows = []
        for m in sorted(matches, key=lambda m: bkey(m['order_ref'])):
            o = m['order']
            ecab = o['order_kind'] == 'ECAB'
            mrows.append((m['order_ref'], m['order_kind'], m['operator'], m['msisdn'],
                          m['payable'], m['net'], m['match'], m['charge_ids'],
                          o['merchant_id'] if ecab else '', '' if ecab else o['office_code'],
                          int(o['goods_poisha']) if ecab else None,
                          int(o['delivery_poisha']) if ecab else None,
                          None if ecab else int(o['postage_poisha'])))
        write_csv(os.path.join(outdir, 'matches.csv'),
                  ['order_ref', 'order_kind', 'operator', 'msisdn', 'payable_poisha',
                   'net_poisha', 'match', 'charge_ids', 'merchant_id', 'office_code',
                   'goods_poisha', 'delivery_poisha', 'postage_poisha'], mrows)
        drows = []
        ymd = d.strftime('%Y%m%d')
        for op in self.ops:
            mine = [x for x in disputes if x['operator'] == op]
            mine.sort(key=lambda x: (bkey(x['reason']), bkey(x['order_ref']), bkey(x['charge_ids'])))
            for i, x in enumerate(mine, 1):
                x['id'] = '%s-%s-%06d' % (op, ymd, i)
                drows.append((x['id'], op, x['reason'], x['order_ref'], x['charge_ids'],
                              x['msisdn'], x['amount'], x['detail']))
        drows.sort(key=lambda r: bkey(r[0]))
        write_csv(os.path.join(outdir, 'disputes.csv'),
                  ['dispute_id', 'operator', 'reason', 'order_ref', 'charge_ids', 'msisdn',
                   'amount_poisha', 'detail'], drows)
        # statements and shares
        for op in self.ops:
            st = stats[op]
            mm = [m for m in matches if m['operator'] == op]
            mnet = sum(m['net'] for m in mm)
            dd = [x for x in disputes if x['operator'] == op]
            pg = [g for g in self.pending if g_op(g) == op]
            before = self.mtd[op]
            tiers = cfg['ops'][op]['tiers']
            share = rhe(tier_share(before + mnet, tiers)) - rhe(tier_share(before, tiers))
            rows = [('charges_received',) + st['received'],
                    ('charges_rejected',) + st['rejected'],
                    ('charges_failed',) + st['failed'],
                    ('charges_success',) + st['success'],
                    ('refunds_success',) + st['refunds'],
                    ('ported', st['ported'], None),
                    ('matched_net', len(mm), mnet),
                    ('disputes_raised', len(dd), sum(x['amount'] for x in dd)),
                    ('pending_groups', len(pg), sum(net(g) for g in pg)),
                    ('mtd_net_before', None, before),
                    ('operator_share', None, share),
                    ('payable_to_bpo', None, mnet - share)]
            write_csv(os.path.join(outdir, 'statement-%s.csv' % op),
                      ['item', 'count', 'amount_poisha'], rows)
            self.mtd[op] = before + mnet
        pay = {}
        off = {}
        for m in matches:
            o = m['order']
            if o['order_kind'] == 'ECAB':
                p = pay.setdefault(o['merchant_id'], [0, 0])
                p[0] += 1
                p[1] += int(o['goods_poisha'])
            else:
                p = off.setdefault(o['office_code'], [0, 0])
                p[0] += 1
                p[1] += int(o['postage_poisha'])
        prow = []
        bps = cfg['dcb_fee_bps']
        for mid in sorted(pay, key=bkey):
            n, goods = pay[mid]
            fee = rhe(Fraction(goods * bps, 10000))
            prow.append((mid, n, goods, fee, goods - fee))
        write_csv(os.path.join(outdir, 'payouts.csv'),
                  ['merchant_id', 'orders', 'goods_poisha', 'dcb_fee_poisha', 'payout_poisha'], prow)
        orow = [(k, off[k][0], off[k][1]) for k in sorted(off, key=bkey)]
        write_csv(os.path.join(outdir, 'offices.csv'), ['office_code', 'orders', 'postage_poisha'], orow)

    def order_records(self, path):
        """Line number of each record start -> raw text (for order rejects found here)."""
        data = open(path, 'rb').read()
        if data.startswith(b'\xef\xbb\xbf'):
            data = data[3:]
        res = {}
        i = 0
        line = 1
        n = len(data)
        while i < n:
            start = i
            startline = line
            inq = False
            fstart = True
            while i < n:
                c = data[i:i + 1]
                if inq:
                    if c == b'"':
                        if data[i + 1:i + 2] == b'"':
                            i += 1
                        else:
                            inq = False
                    elif c == b'\n':
                        line += 1
                elif c == b'"' and fstart:
                    inq = True
                elif c == b'\n':
                    break
                fstart = (c == b',')
                i += 1
            rec = data[start:i]
            if rec.endswith(b'\r'):
                rec = rec[:-1]
            res[startline] = raw_text(rec)
            i += 1
            line += 1
        return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--config', required=True)
    ap.add_argument('--bin', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--parse', choices=('tools', 'own'), default='tools',
                    help='read single files with settle ingest/orders, or with refparse.py')
    ap.add_argument('dates', nargs='+')
    a = ap.parse_args()
    cfg = parse_config(a.config)
    base = os.path.dirname(os.path.abspath(a.config))
    eng = Engine(cfg, os.path.abspath(a.bin), base)
    eng.own_parse = a.parse == 'own'
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        eng.tmp = tmp
        for ds in a.dates:
            d = dt.date.fromisoformat(ds)
            eng.run_date(d, os.path.join(a.out, ds))


if __name__ == '__main__':
    main()
