#!/bin/sh
# Story: BPO packs a settlement bundle; the operator checks it with stock
# tools and with settle verify; then every kind of tampering SPEC §9 forbids
# is tried, and settle verify must refuse each one with exit 1 and its
# reason.  Also the exit statuses of bad usage and missing files.
#
#   sh tests/stories/bundle.sh BUILD_DIR      (from the repository root)
#   GOLDEN=1 sh tests/stories/bundle.sh BUILD_DIR
#                                         rewrites the golden bundle instead
#                                         of comparing with it (review the diff)
#
# Tampered bundles are written by a small Python 3 helper (tarfile, gzip) in
# the same conventions as a real bundle, so that each case fails for the one
# thing it changes; the helper's untouched copy must itself verify.
set -u

B=${1:?usage: sh tests/stories/bundle.sh BUILD_DIR}/bin
D=tests/bundle
K=tests/keys/TEST-ONLY-bpo-ed25519
PUB=$K.pub.pem
DATE=2026-11-26
GOLD=$D/golden-bundle.tar.gz
CSVS="$D/statement.csv $D/matches.csv $D/disputes.csv $D/rejects.csv"

for tool in "$B/settle" "$B/settle-pack" "$B/settle-verify" python3 openssl \
    tar gzip sha256sum cmp od awk; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "FAIL - $tool not found"
		echo "0 passed, 1 failed"
		exit 1
	fi
done

T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT TERM
pass=0
fail=0

ok() {
	pass=$((pass + 1))
	echo "ok - $*"
}

nok() {
	fail=$((fail + 1))
	echo "FAIL - $*"
	[ -s "$T/err" ] && sed 's/^/    /' "$T/err"
}

# check DESC CMD...: CMD must succeed.
check() {
	desc=$1
	shift
	if "$@" >"$T/out" 2>"$T/err"; then ok "$desc"; else nok "$desc"; fi
}

# status WANT DESC CMD...: CMD must exit WANT.
status() {
	want=$1 desc=$2
	shift 2
	"$@" >"$T/out" 2>"$T/err"
	got=$?
	if [ "$got" -eq "$want" ]; then
		ok "$desc: exit $got"
	else
		nok "$desc: exit $got, wanted $want"
	fi
}

# refused FILE REASON: settle verify exits 1, REASON on stderr, no stdout.
refused() {
	"$B/settle-verify" --pubkey "$PUB" "$1" >"$T/out" 2>"$T/err"
	got=$?
	if [ "$got" -eq 1 ] && grep -qF -- "$2" "$T/err" && [ ! -s "$T/out" ] &&
	    ! grep -q 'Sanitizer\|runtime error' "$T/err"; then
		ok "refused $(basename "$1"): $(sed "s|$T/||" "$T/err")"
	else
		nok "$(basename "$1"): exit $got, wanted 1 with '$2'"
	fi
}

cat >"$T/tamper.py" <<'EOF'
import gzip, hashlib, io, subprocess, sys, tarfile

src, dst, case = sys.argv[1:4]
arg = sys.argv[4] if len(sys.argv) > 4 else None
raw = open(src, 'rb').read()

if case == 'byte':                      # flip a byte of the file itself
    b = bytearray(raw)
    b[int(arg) % len(b)] ^= 0xff
    open(dst, 'wb').write(bytes(b))
    sys.exit(0)
if case == 'trailing':
    open(dst, 'wb').write(raw + b'garbage\n')
    sys.exit(0)

with tarfile.open(fileobj=io.BytesIO(raw), mode='r:gz') as t:
    ents = [[m, t.extractfile(m).read()] for m in t.getmembers()]
names = [m.name for m, _ in ents]
like = ents[0][0]
gz_mtime, fmt = 0, tarfile.USTAR_FORMAT

def info(name, kind=tarfile.REGTYPE, link=''):
    ti = tarfile.TarInfo(name)
    ti.mode, ti.uid, ti.gid, ti.mtime = 0o644, 0, 0, like.mtime
    ti.uname = ti.gname = ''
    ti.type, ti.linkname = kind, link
    return ti

def manifest(files):
    return b''.join(hashlib.sha256(d).hexdigest().encode() + b'  ' +
                    m.name.encode() + b'\n' for m, d in files
                    if not m.name.startswith('MANIFEST'))

def put(name, data):
    ents[names.index(name)][1] = data

if case == 'none':
    pass
elif case == 'flip':
    d = bytearray(ents[names.index(arg)][1])
    d[len(d) // 2] ^= 0x01
    put(arg, bytes(d))
elif case == 'sig63':
    put('MANIFEST.sig', ents[names.index('MANIFEST.sig')][1][:63])
elif case == 'replace-manifest':
    put('statement.csv', ents[names.index('statement.csv')][1] + b'x,1,1\n')
    put('MANIFEST', manifest(ents))
elif case == 'resign':
    text = ents[names.index('MANIFEST')][1]
    text = text[:64].upper() + text[64:]
    put('MANIFEST', text)
    open(dst + '.MANIFEST', 'wb').write(text)
    put('MANIFEST.sig', subprocess.run(
        ['openssl', 'pkeyutl', '-sign', '-inkey', arg, '-rawin',
         '-in', dst + '.MANIFEST'], capture_output=True, check=True).stdout)
elif case == 'extra':
    ents.append([info('zzz.csv'), b'extra\n'])
elif case == 'drop':
    del ents[names.index(arg)]
elif case == 'duplicate':
    i = names.index(arg)
    ents.insert(i + 1, ents[i])
elif case == 'name':
    ents.append([info(arg), b'x\n'])
elif case == 'symlink':
    ents.append([info('zzz.csv', tarfile.SYMTYPE, '/etc/passwd'), b''])
elif case == 'hardlink':
    ents.append([info('zzz.csv', tarfile.LNKTYPE, 'statement.csv'), b''])
elif case == 'fifo':
    ents.append([info('zzz.csv', tarfile.FIFOTYPE), b''])
elif case == 'chrdev':
    ents.append([info('zzz.csv', tarfile.CHRTYPE), b''])
elif case == 'dir':
    ents.append([info('zzz', tarfile.DIRTYPE), b''])
elif case == 'mode':
    ents[names.index(arg)][0].mode = 0o755
elif case == 'owner':
    ents[names.index(arg)][0].uid = 1000
elif case == 'gzip-mtime':
    gz_mtime = like.mtime
elif case == 'gnu':
    fmt = tarfile.GNU_FORMAT
elif case == 'reorder':
    ents.reverse()
elif case == 'tar-junk':
    pass
else:
    sys.exit('tamper.py: unknown case ' + case)

tarbuf = io.BytesIO()
with tarfile.open(fileobj=tarbuf, mode='w', format=fmt) as t:
    for m, d in ents:
        if m.isreg():
            m.size = len(d)
            t.addfile(m, io.BytesIO(d))
        else:
            t.addfile(m)
    end = t.offset + 1024               # after the end-of-archive blocks
data = tarbuf.getvalue()
if case == 'tar-junk':
    data = data[:end] + b'JUNK' + data[end + 4:]
out = io.BytesIO()
with gzip.GzipFile(filename='', mode='wb', fileobj=out, mtime=gz_mtime) as g:
    g.write(data)
open(dst, 'wb').write(out.getvalue())
EOF

tamper() {
	python3 "$T/tamper.py" "$T/good.tar.gz" "$T/$1" "$2" ${3+"$3"} ||
	    nok "tamper.py $2 ${3-}"
}

echo "# pack"
check "settle pack builds a bundle" \
    "$B/settle-pack" --key "$K.pem" --date $DATE -o "$T/good.tar.gz" $CSVS
check "settle verify accepts it" \
    "$B/settle-verify" --pubkey "$PUB" "$T/good.tar.gz"
grep -qx "settle-verify: $T/good.tar.gz: OK, 4 files, signed MANIFEST, business date $DATE" \
    "$T/out" && ok "one-line confirmation on stdout" ||
    nok "confirmation line: $(cat "$T/out")"
check "'settle verify -q' is silent" \
    "$B/settle" verify -q --pubkey "$PUB" "$T/good.tar.gz"
[ ! -s "$T/out" ] && ok "-q prints nothing" || nok "-q printed"
check "'settle verify' reads - as stdin" \
    sh -c '"$1" --pubkey "$2" - <"$3"' sh "$B/settle-verify" "$PUB" \
    "$T/good.tar.gz"
sleep 1
check "the same inputs a second later, in another order" \
    "$B/settle" pack --key "$K.pem" --date $DATE -o "$T/again.tar.gz" \
    $D/rejects.csv $D/disputes.csv $D/matches.csv $D/statement.csv
check "give identical bytes" cmp "$T/good.tar.gz" "$T/again.tar.gz"
check "'-o -' writes the same bytes to stdout" sh -c \
    '"$1" --key "$2" --date "$3" -o - $4 | cmp - "$5"' sh \
    "$B/settle-pack" "$K.pem" $DATE "$CSVS" "$T/good.tar.gz"
mkdir "$T/outdir"
check "pack into a folder" "$B/settle-pack" --key "$K.pem" --date $DATE \
    -o "$T/outdir/b.tar.gz" $CSVS
[ "$(ls -A "$T/outdir")" = b.tar.gz ] && ok "no temporary file left" ||
    nok "folder holds: $(ls -A "$T/outdir")"
cp $D/statement.csv "$T/statement-GP.csv"
check "NAME=PATH renames, NAME=- reads stdin" sh -c \
    '"$1" --key "$2" --date "$3" -o "$4" statement.csv="$5" \
    matches.csv=- "$6" "$7" <"$8"' sh "$B/settle-pack" "$K.pem" $DATE \
    "$T/renamed.tar.gz" "$T/statement-GP.csv" $D/disputes.csv \
    $D/rejects.csv $D/matches.csv
check "and give the same bundle" cmp "$T/good.tar.gz" "$T/renamed.tar.gz"
check "an encrypted key with --passphrase-file" "$B/settle-pack" \
    --key "$K.enc.pem" --passphrase-file tests/keys/TEST-ONLY-passphrase.txt \
    --date $DATE -o "$T/enc.tar.gz" $CSVS
check "signs the same bytes" cmp "$T/good.tar.gz" "$T/enc.tar.gz"
check "an encrypted key with --passphrase-env" env \
    "SETTLE_TEST_PASS=$(head -n 1 tests/keys/TEST-ONLY-passphrase.txt)" \
    "$B/settle-pack" --key "$K.enc.pem" --passphrase-env SETTLE_TEST_PASS \
    --date $DATE -o "$T/env.tar.gz" $CSVS
check "signs the same bytes" cmp "$T/good.tar.gz" "$T/env.tar.gz"
for lv in 1 9; do
	check "level $lv packs" "$B/settle-pack" --key "$K.pem" --date $DATE \
	    --level $lv -o "$T/l$lv.tar.gz" $CSVS
	check "level $lv verifies" "$B/settle-verify" --pubkey "$PUB" \
	    "$T/l$lv.tar.gz"
done

echo "# golden"
if [ "${GOLDEN:-0}" = 1 ]; then
	cp "$T/good.tar.gz" "$GOLD" && ok "golden bundle rewritten: $GOLD"
else
	check "golden bundle reproduced byte for byte" cmp "$GOLD" \
	    "$T/good.tar.gz"
	check "golden bundle verifies" "$B/settle-verify" --pubkey "$PUB" \
	    "$GOLD"
fi

echo "# stock tools"
TZ=UTC tar -tvzf "$T/good.tar.gz" >"$T/list" 2>"$T/err" &&
    ok "tar -tvzf lists the bundle" || nok "tar -tvzf"
sed 's/^/    /' "$T/list"
awk '$1 != "-rw-r--r--" { exit 1 }' "$T/list" &&
    ok "every entry -rw-r--r--" || nok "modes"
awk '$2 != "0/0" { exit 1 }' "$T/list" && ok "every entry owned 0/0" ||
    nok "owners"
awk -v d=$DATE '$4 != d || $5 != "00:00" { exit 1 }' "$T/list" &&
    ok "every mtime $DATE 00:00 UTC" || nok "mtimes"
[ "$(awk '{ printf "%s ", $6 }' "$T/list")" = \
    "MANIFEST MANIFEST.sig disputes.csv matches.csv rejects.csv statement.csv " ] &&
    ok "names in order" || nok "names: $(awk '{ printf "%s ", $6 }' "$T/list")"
[ "$(od -An -tx1 -j3 -N5 "$T/good.tar.gz" | tr -d ' ')" = 0000000000 ] &&
    ok "gzip header: no name, no timestamp" || nok "gzip header"
check "gzip -t finds no trailing garbage" gzip -t "$T/good.tar.gz"
[ ! -s "$T/err" ] || nok "gzip -t said: $(cat "$T/err")"
mkdir "$T/x"
tar -xzf "$T/good.tar.gz" -C "$T/x"
check "sha256sum --strict -c MANIFEST" sh -c 'cd "$1" &&
    sha256sum --strict -c MANIFEST' sh "$T/x"
check "openssl pkeyutl -verify" openssl pkeyutl -verify -pubin \
    -inkey "$PUB" -rawin -in "$T/x/MANIFEST" -sigfile "$T/x/MANIFEST.sig"
for f in statement.csv matches.csv disputes.csv rejects.csv; do
	check "extracted $f is the input" cmp "$D/$f" "$T/x/$f"
done

echo "# tamper matrix"
tamper copy.tar.gz none
check "the helper's untouched rewrite still verifies" \
    "$B/settle-verify" --pubkey "$PUB" "$T/copy.tar.gz"
for f in statement.csv matches.csv disputes.csv rejects.csv; do
	tamper "flip-$f" flip $f
	refused "$T/flip-$f" "entry '$f': SHA-256 does not match MANIFEST"
done
tamper flip-MANIFEST flip MANIFEST
refused "$T/flip-MANIFEST" "bad signature on MANIFEST"
tamper flip-MANIFEST.sig flip MANIFEST.sig
refused "$T/flip-MANIFEST.sig" "bad signature on MANIFEST"
tamper sig63 sig63
refused "$T/sig63" "MANIFEST.sig is 63 bytes, expected 64"
tamper replace-manifest replace-manifest
refused "$T/replace-manifest" "bad signature on MANIFEST"
tamper resigned-uppercase resign "$K.pem"
refused "$T/resigned-uppercase" "MANIFEST line 1: hash is not 64 lowercase"
tamper extra extra
refused "$T/extra" "entry 'zzz.csv' is not in MANIFEST"
tamper drop-rejects drop rejects.csv
refused "$T/drop-rejects" "MANIFEST lists 'rejects.csv' but the bundle has no"
tamper drop-MANIFEST drop MANIFEST
refused "$T/drop-MANIFEST" "no MANIFEST entry"
tamper drop-sig drop MANIFEST.sig
refused "$T/drop-sig" "no MANIFEST.sig entry"
tamper duplicate duplicate matches.csv
refused "$T/duplicate" "duplicate entry 'matches.csv'"
tamper dotdot name ../x
refused "$T/dotdot" "entry '../x': '..' in its path"
tamper absolute name /etc/x
refused "$T/absolute" "entry '/etc/x': absolute path"
tamper symlink symlink
refused "$T/symlink" "entry 'zzz.csv': symbolic link"
tamper hardlink hardlink
refused "$T/hardlink" "entry 'zzz.csv': hard link"
tamper fifo fifo
refused "$T/fifo" "entry 'zzz.csv': fifo"
tamper chrdev chrdev
refused "$T/chrdev" "entry 'zzz.csv': device"
tamper dir dir
refused "$T/dir" "entry 'zzz/': directory"
tamper mode mode rejects.csv
refused "$T/mode" "entry 'rejects.csv': mode 0755, expected 0644"
tamper owner owner rejects.csv
refused "$T/owner" "entry 'rejects.csv': owner 1000:0, expected 0:0"
tamper reorder reorder
refused "$T/reorder" "out of name order"
tamper gnu gnu
refused "$T/gnu" "not a POSIX ustar header"
tamper gzip-mtime gzip-mtime
refused "$T/gzip-mtime" "gzip header carries a timestamp"
tamper trailing trailing
refused "$T/trailing" "trailing data after the gzip stream"
tamper tar-junk tar-junk
refused "$T/tar-junk" "data after the end of the tar archive"
len=$(wc -c <"$T/good.tar.gz")
for off in 3 $((len / 3)) $((len / 2)) $((len - 8)) $((len - 3)); do
	tamper "gzbyte-$off" byte $off
	refused "$T/gzbyte-$off" ""
done
for n in 1 10 17 40 $((len / 2)) $((len - 9)) $((len - 1)); do
	head -c "$n" "$T/good.tar.gz" >"$T/cut-$n"
	refused "$T/cut-$n" ""
done
grep -q 'truncated gzip stream' "$T/err" && ok "truncation says so" ||
    nok "truncation reason: $(cat "$T/err")"
openssl genpkey -algorithm ed25519 -out "$T/other.pem" 2>/dev/null
openssl pkey -in "$T/other.pem" -pubout -out "$T/other.pub.pem"
check "pack with a freshly generated key" "$B/settle-pack" \
    --key "$T/other.pem" --date $DATE -o "$T/other-key.tar.gz" $CSVS
check "which verifies with its own public key" "$B/settle-verify" \
    --pubkey "$T/other.pub.pem" "$T/other-key.tar.gz"
refused "$T/other-key.tar.gz" "bad signature on MANIFEST"

echo "# exit statuses"
status 0 "pack --help" "$B/settle-pack" --help
status 0 "verify --help" "$B/settle" verify --help
status 0 "pack --version" "$B/settle-pack" --version
status 64 "pack without --key" "$B/settle-pack" --date $DATE -o "$T/u" $CSVS
status 64 "pack without --date" "$B/settle-pack" --key "$K.pem" -o "$T/u" \
    $CSVS
status 64 "pack with a bad date" "$B/settle-pack" --key "$K.pem" \
    --date 2026-02-30 -o "$T/u" $CSVS
status 64 "pack with level 0" "$B/settle-pack" --key "$K.pem" --date $DATE \
    --level 0 -o "$T/u" $CSVS
status 64 "pack without files" "$B/settle-pack" --key "$K.pem" --date $DATE \
    -o "$T/u"
status 64 "pack with an unknown option" "$B/settle-pack" --bogus
status 64 "pack with both passphrase sources" "$B/settle-pack" \
    --key "$K.pem" --passphrase-env X --passphrase-file Y --date $DATE \
    -o "$T/u" $CSVS
status 64 "pack with a file named MANIFEST" "$B/settle-pack" --key "$K.pem" \
    --date $DATE -o "$T/u" MANIFEST=$D/statement.csv
status 64 "pack with one name twice" "$B/settle-pack" --key "$K.pem" \
    --date $DATE -o "$T/u" $D/statement.csv statement.csv=$D/matches.csv
status 64 "verify without --pubkey" "$B/settle-verify" "$T/good.tar.gz"
status 64 "verify with two bundles" "$B/settle-verify" --pubkey "$PUB" \
    "$T/good.tar.gz" "$T/good.tar.gz"
status 64 "verify with no bundle" "$B/settle-verify" --pubkey "$PUB"
status 66 "pack with a missing input" "$B/settle-pack" --key "$K.pem" \
    --date $DATE -o "$T/u" "$T/no-such.csv"
status 66 "pack with a missing key" "$B/settle-pack" --key "$T/no.pem" \
    --date $DATE -o "$T/u" $CSVS
status 66 "pack with a missing passphrase file" "$B/settle-pack" \
    --key "$K.enc.pem" --passphrase-file "$T/no-pass" --date $DATE \
    -o "$T/u" $CSVS
status 66 "verify a missing bundle" "$B/settle-verify" --pubkey "$PUB" \
    "$T/no-such.tar.gz"
status 66 "verify with a missing public key" "$B/settle-verify" \
    --pubkey "$T/no.pub.pem" "$T/good.tar.gz"
status 73 "pack into a missing folder" "$B/settle-pack" --key "$K.pem" \
    --date $DATE -o "$T/no/such/dir/b.tar.gz" $CSVS
status 78 "pack with a public key as --key" "$B/settle-pack" --key "$PUB" \
    --date $DATE -o "$T/u" $CSVS
status 78 "pack with an encrypted key and no passphrase" "$B/settle-pack" \
    --key "$K.enc.pem" --date $DATE -o "$T/u" $CSVS
status 78 "verify with a private key as --pubkey" "$B/settle-verify" \
    --pubkey "$K.pem" "$T/good.tar.gz"
[ ! -e "$T/u" ] && ok "failed packs wrote nothing" || nok "$T/u exists"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
