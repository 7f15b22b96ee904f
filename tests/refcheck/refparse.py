"""Independent readers for the charge files (SPEC §3) and order files
(SPEC §4), used by refsettle.py --parse own.

read_charges(path, op, dialect, date, dedup_days, memory) and
read_orders(bpo_path, ecab_path, operators, known_kind) return canonical
rows and rejects as plain dicts / tuples.  Files that the SPEC refuses whole
raise Refused."""
import datetime as dt
import gzip
import re

BD = dt.timezone(dt.timedelta(hours=6))
MAX = 10_000_000_000


class Refused(Exception):
    pass


DIALECTS = {
    'GP': dict(delim=',', header='TXN_ID,MSISDN,AMOUNT_BDT,TXN_TIME,MERCHANT_REF,TXN_TYPE,RESULT',
               n=7, unit='taka', quoting=False, trailer='TRAILER', gz=True,
               kinds={'CHARGE': 'CHARGE', 'REFUND': 'REFUND'}, status='code0'),
    'ROBI': dict(delim='|', header='id|msisdn|amount_poisha|epoch_ms|ref|type|status',
                 n=7, unit='poisha', quoting=False, trailer='#EOF', gz=False,
                 kinds={'C': 'CHARGE', 'R': 'REFUND'}, status={'SUCCESS': 'SUCCESS', 'FAILED': 'FAILED'}),
    'BL': dict(delim=';', header='Transaction ID;Subscriber;Amount;Date;Time;Reference;Type;Status',
               n=8, unit='taka', quoting=True, trailer='TOTAL', gz=False,
               kinds={'DEBIT': 'CHARGE', 'CREDIT': 'REFUND'}, status={'Charged': 'SUCCESS', 'Failed': 'FAILED'}),
    'TT': dict(delim='\t', header=None, n=8, unit='poisha', quoting=False, trailer='T', gz=False,
               kinds={'CHG': 'CHARGE', 'RFD': 'REFUND'}, status='code00'),
}


def raw_text(b):
    s = b.decode('utf-8', 'surrogateescape')
    return ''.join('\\x%02x' % (ord(c) - 0xDC00) if 0xDC80 <= ord(c) <= 0xDCFF else c for c in s)


def amount(s, unit):
    if unit == 'taka':
        if not re.fullmatch(r'[0-9]+(\.[0-9]{1,2})?', s):
            return None
        a, _, b = s.partition('.')
        v = int(a) * 100 + int((b + '00')[:2])
    else:
        if not re.fullmatch(r'[0-9]+', s):
            return None
        v = int(s)
    return v


def good_amount(v, zero_ok=False):
    return v is not None and (v > 0 or (zero_ok and v == 0)) and v <= MAX


def msisdn(s):
    x = s.replace(' ', '').replace('-', '')
    if x.startswith('+'):
        x = x[1:]
        if not x.startswith('880'):
            return None
    elif x.startswith('00'):
        x = x[2:]
        if not x.startswith('880'):
            return None
    elif x.startswith('0') and len(x) == 11:
        x = '88' + x
    if re.fullmatch(r'8801[3-9][0-9]{8}', x):
        return x
    return None


def mk(y, mo, d, h, mi, se, tz):
    try:
        return int(dt.datetime(y, mo, d, h, mi, se, tzinfo=tz).timestamp())
    except ValueError:
        return None


def iso(s):
    m = re.fullmatch(r'([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(Z|[+-][0-9]{2}:[0-9]{2})', s)
    if not m:
        return None
    z = m.group(7)
    if z == 'Z':
        tz = dt.timezone.utc
    else:
        hh, mm = int(z[1:3]), int(z[4:6])
        if hh > 23 or mm > 59:
            return None
        off = dt.timedelta(hours=hh, minutes=mm)
        tz = dt.timezone(-off if z[0] == '-' else off)
    return mk(*[int(m.group(i)) for i in range(1, 7)], tz)


def bdate(ts):
    return dt.datetime.fromtimestamp(ts, BD).date()


def utc(ts):
    return dt.datetime.fromtimestamp(ts, dt.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def end_of(d):
    n = d + dt.timedelta(days=1)
    return int(dt.datetime(n.year, n.month, n.day, tzinfo=BD).timestamp())


def split_bl(line, delim):
    """Fields of a BL line with optional quoting, or None on bad quoting."""
    out = []
    i, n = 0, len(line)
    while True:
        if i < n and line[i] == '"':
            i += 1
            buf = []
            while True:
                if i >= n:
                    return None
                if line[i] == '"':
                    if i + 1 < n and line[i + 1] == '"':
                        buf.append('"')
                        i += 2
                        continue
                    i += 1
                    break
                buf.append(line[i])
                i += 1
            out.append(''.join(buf))
            if i == n:
                return out
            if line[i] != delim:
                return None
            i += 1
        else:
            j = line.find(delim, i)
            f = line[i:] if j < 0 else line[i:j]
            if '"' in f:
                return None
            out.append(f)
            if j < 0:
                return out
            i = j + 1


def read_charges(path, name, op, date, dedup_days, memory):
    """memory: charge_id -> (content, t) of this operator, updated in place."""
    dl = DIALECTS[op]
    data = open(path, 'rb').read()
    if dl['gz']:
        try:
            data = gzip.decompress(data)
        except Exception as e:
            raise Refused('%s: gzip: %s' % (name, e))
    if data.startswith(b'\xef\xbb\xbf'):
        data = data[3:]
    lines = data.split(b'\n')
    if lines and lines[-1] == b'':
        lines.pop()
    lines = [l[:-1] if l.endswith(b'\r') else l for l in lines]
    if not lines:
        raise Refused('%s: empty' % name)
    trailer = lines[-1].decode('utf-8', 'replace').split(dl['delim'])
    if trailer[0] != dl['trailer'] or len(trailer) != 3:
        raise Refused('%s: no trailer' % name)
    first = lines[0].decode('utf-8', 'replace')
    if dl['header'] is not None:
        if first != dl['header']:
            raise Refused('%s: header' % name)
    else:
        h = first.split('\t')
        if h[:3] != ['H', 'TELETALK', date.strftime('%Y%m%d')] or len(h) != 4 or h[3] != trailer[1]:
            raise Refused('%s: H record' % name)
    details = list(enumerate(lines[1:-1], start=2))
    tcount = int(trailer[1])
    tsum = amount(trailer[2], dl['unit'])
    rows, rejects = [], []
    csum = 0
    lo = date - dt.timedelta(days=dedup_days)
    end = end_of(date)
    for ln, b in details:
        raw = raw_text(b)

        def rej(reason, detail=''):
            rejects.append((name, ln, reason, detail, raw))
        try:
            line = b.decode('utf-8')
        except UnicodeDecodeError:
            rej('MALFORMED', 'not UTF-8')
            continue
        if dl['quoting']:
            f = split_bl(line, dl['delim'])
            if f is None:
                rej('MALFORMED', 'quoting')
                continue
        else:
            if '"' in line:
                rej('MALFORMED', 'stray quote')
                continue
            f = line.split(dl['delim'])
        if len(f) != dl['n'] or (op == 'TT' and f[0] != 'D'):
            rej('MALFORMED', 'field count')
            continue
        if op == 'GP':
            cid, ms, am, tm, ref, kd, st = f
            t = iso(tm)
        elif op == 'ROBI':
            cid, ms, am, tm, ref, kd, st = f
            t = int(tm) // 1000 if re.fullmatch(r'[0-9]+', tm) else None
        elif op == 'BL':
            cid, ms, am, dd, tt, ref, kd, st = f
            m = re.fullmatch(r'([0-9]{2})/([0-9]{2})/([0-9]{4})', dd)
            m2 = re.fullmatch(r'([0-9]{2}):([0-9]{2}):([0-9]{2})', tt)
            t = mk(int(m.group(3)), int(m.group(2)), int(m.group(1)),
                   int(m2.group(1)), int(m2.group(2)), int(m2.group(3)), BD) if m and m2 else None
        else:
            _, cid, ms, am, tm, ref, kd, st = f
            m = re.fullmatch(r'([0-9]{4})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})', tm)
            t = mk(*[int(m.group(i)) for i in range(1, 7)], BD) if m else None
        if cid == '':
            rej('MALFORMED', 'empty charge_id')
            continue
        a = amount(am, dl['unit'])
        if a is not None:
            csum += a
        msn = msisdn(ms)
        if msn is None:
            rej('BAD_MSISDN')
            continue
        if not good_amount(a):
            rej('BAD_AMOUNT')
            continue
        if t is None:
            rej('BAD_TIME')
            continue
        if kd not in dl['kinds']:
            rej('BAD_KIND')
            continue
        kind = dl['kinds'][kd]
        sm = dl['status']
        if sm == 'code0' or sm == 'code00':
            if st == '':
                rej('BAD_STATUS')
                continue
            status = 'SUCCESS' if st == ('0' if sm == 'code0' else '00') else 'FAILED'
        else:
            if st not in sm:
                rej('BAD_STATUS')
                continue
            status = sm[st]
        if t >= end:
            rej('FUTURE')
            continue
        if bdate(t) < lo:
            rej('STALE')
            continue
        content = (msn, a, t, ref, kind, status)
        prev = memory.get(cid)
        if prev is not None:
            rej('DUPLICATE_ID' if prev[0] == content else 'ID_CONFLICT', cid)
            continue
        memory[cid] = (content, t)
        rows.append({'operator': op, 'charge_id': cid, 'msisdn': msn, 'amount': a, 't': t,
                     'charged_at': utc(t), 'order_ref': ref, 'kind': kind, 'status': status,
                     'source_file': name, 'source_line': ln})
    if tcount != len(details) or tsum != csum:
        raise Refused('%s: control totals %d/%s vs %d/%d' % (name, tcount, tsum, len(details), csum))
    return rows, rejects, (tcount, tsum)


def s10_ok(s):
    m = re.fullmatch(r'[A-Z]{2}([0-9]{8})([0-9])BD', s)
    if not m:
        return False
    w = [8, 6, 4, 2, 3, 5, 9, 7]
    sm = sum(int(c) * x for c, x in zip(m.group(1), w))
    c = 11 - sm % 11
    c = 0 if c == 10 else 5 if c == 11 else c
    return c == int(m.group(2))


def csv_records(data):
    """RFC 4180 records: yields (first line, raw bytes, fields or None)."""
    i, n, line = 0, len(data), 1
    while i < n:
        start, startline = i, line
        fields, buf = [], bytearray()
        bad = False
        inq = False
        fstart = True
        quoted_closed = False
        while i < n:
            c = data[i]
            if inq:
                if c == 0x22:
                    if i + 1 < n and data[i + 1] == 0x22:
                        buf.append(0x22)
                        i += 2
                        continue
                    inq = False
                    quoted_closed = True
                else:
                    if c == 0x0a:
                        line += 1
                    buf.append(c)
                i += 1
                continue
            if c == 0x0a:
                break
            if c == 0x2c:
                fields.append(bytes(buf))
                buf = bytearray()
                fstart = True
                quoted_closed = False
                i += 1
                continue
            if c == 0x22:
                if fstart:
                    inq = True
                    fstart = False
                    i += 1
                    continue
                bad = True
            elif quoted_closed and not (c == 0x0d and (i + 1 == n or data[i + 1] == 0x0a)):
                bad = True
            if not (c == 0x0d and (i + 1 == n or data[i + 1] == 0x0a)):
                buf.append(c)
            fstart = False
            i += 1
        if inq:
            bad = True
        fields.append(bytes(buf))
        rec = data[start:i]
        if rec.endswith(b'\r'):
            rec = rec[:-1]
        yield startline, rec, (None if bad else fields)
        i += 1
        line += 1


BPO_HDR = 'tracking_no,office_code,msisdn,operator,service,postage_poisha,booked_at,payment_status'
ECAB_HDR = 'order_ref,merchant_id,msisdn,operator,goods_poisha,delivery_poisha,created_at,payment_status,tracking_no'


def read_orders(path, name, kind, operators, known_kind):
    """known_kind: ref -> kind of accepted orders so far (updated in place)."""
    data = open(path, 'rb').read()
    if data.startswith(b'\xef\xbb\xbf'):
        data = data[3:]
    recs = list(csv_records(data))
    hdr = recs[0][1].decode('utf-8', 'replace') if recs else ''
    if hdr != (BPO_HDR if kind == 'BPO' else ECAB_HDR):
        raise Refused('%s: header' % name)
    rows, rejects = [], []
    seen_here = set()
    nf = 8 if kind == 'BPO' else 9
    for ln, rec, fields in recs[1:]:
        raw = raw_text(rec)

        def rej(reason, detail=''):
            rejects.append((name, ln, reason, detail, raw))
        if fields is None:
            rej('MALFORMED', 'quoting')
            continue
        try:
            f = [x.decode('utf-8') for x in fields]
        except UnicodeDecodeError:
            rej('MALFORMED', 'not UTF-8')
            continue
        if len(f) != nf:
            rej('MALFORMED', 'field count')
            continue
        o = {'order_kind': kind, 'source_file': name, 'source_line': ln}
        reason = None
        if kind == 'BPO':
            tr, office, ms, op, svc, post, booked, st = f
            if not s10_ok(tr):
                reason = 'BAD_TRACKING'
            elif not (re.fullmatch(r'[0-9]{4}', office) and 1000 <= int(office) <= 9499):
                reason = 'BAD_OFFICE'
            elif msisdn(ms) is None:
                reason = 'BAD_MSISDN'
            elif op not in operators:
                reason = 'MALFORMED'
            elif svc not in ('PARCEL', 'EMS', 'REGISTERED'):
                reason = 'MALFORMED'
            elif not good_amount(amount(post, 'poisha')):
                reason = 'BAD_AMOUNT'
            else:
                m = re.fullmatch(r'([0-9]{4})-([0-9]{2})-([0-9]{2}) ([0-9]{2}):([0-9]{2}):([0-9]{2})', booked)
                t = mk(*[int(m.group(i)) for i in range(1, 7)], BD) if m else None
                if t is None:
                    reason = 'BAD_TIME'
                elif st not in ('PAID', 'PENDING', 'CANCELLED'):
                    reason = 'BAD_STATUS'
            if reason is None:
                o.update(order_ref=tr, merchant_id='', office_code=office, msisdn=msisdn(ms),
                         operator=op, goods_poisha='', delivery_poisha='', postage_poisha=post,
                         payable=int(post), t=t, payment_status=st)
        else:
            ref, mer, ms, op, goods, deliv, created, st, tr = f
            if ref == '' or mer == '':
                reason = 'MALFORMED'
            elif msisdn(ms) is None:
                reason = 'BAD_MSISDN'
            elif op not in operators:
                reason = 'MALFORMED'
            elif not good_amount(amount(goods, 'poisha')):
                reason = 'BAD_AMOUNT'
            elif not good_amount(amount(deliv, 'poisha'), zero_ok=True):
                reason = 'BAD_AMOUNT'
            else:
                t = iso(created)
                if t is None:
                    reason = 'BAD_TIME'
                elif st not in ('PAID', 'PENDING', 'CANCELLED'):
                    reason = 'BAD_STATUS'
                elif tr != '' and not s10_ok(tr):
                    reason = 'BAD_TRACKING'
            if reason is None:
                o.update(order_ref=ref, merchant_id=mer, office_code='', msisdn=msisdn(ms),
                         operator=op, goods_poisha=goods, delivery_poisha=deliv, postage_poisha='',
                         payable=int(goods) + int(deliv), t=t, payment_status=st)
        if reason:
            rej(reason)
            continue
        ref = o['order_ref']
        k = known_kind.get(ref)
        if ref in seen_here or (k is not None and k != kind):
            rej('DUPLICATE_REF', ref)
            continue
        seen_here.add(ref)
        known_kind[ref] = kind
        o['ordered_at'] = utc(o['t'])
        rows.append(o)
    return rows, rejects
