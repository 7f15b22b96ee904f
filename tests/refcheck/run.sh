#!/bin/sh
# Cross-check of `settle run` against the reference model refsettle.py.
#
#   tests/refcheck/run.sh samples            the sample days, and the
#                                            reference against their
#                                            expected outputs
#   tests/refcheck/run.sh gen SEED [RATE] [CHARGES]
#                                            six generated days over a
#                                            month boundary
#   tests/refcheck/run.sh scen [WINDOW_HOURS] hand-made edge cases
#                                            (scenarios.py)
#
# Assumes `make` has been run (BUILD/bin, BUILD/tools/settle-gen, BUILD
# from the environment, build by default).
# Work goes to ${REFCHECK_TMP:-/tmp/refcheck}/<case>; exit 1 on a difference.
# The reference runs twice: --parse tools reads each single file with
# settle ingest / settle orders (so checks §5-§6 and the cross-day rules
# only), --parse own with refparse.py (checks §3-§4 too).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=$root/${BUILD:-build}/bin
tmp=${REFCHECK_TMP:-/tmp/refcheck}
mode=${1:-samples}

run_settle() {  # DIR DATES...
    dir=$1; shift
    for d in "$@"; do
        "$bin/settle-run" --config "$dir/settle.yaml" --date "$d" >/dev/null 2>"$dir/run-$d.err" || {
            echo "settle run $d failed: exit $?"; cat "$dir/run-$d.err"; return 1; }
    done
}

reference() {  # DIR DATES...: both readings of single files
    dir=$1; shift
    for p in tools own; do
        python3 "$here/refsettle.py" --parse $p --config "$dir/settle.yaml" --bin "$bin" \
            --out "$dir/ref-$p" "$@"
    done
}

compare_all() {  # DIR DATES...
    dir=$1; shift
    for p in tools own; do
        echo "settle run vs reference (--parse $p):"
        python3 "$here/compare.py" --raw "$dir/ref-$p" "$dir/outbox" "$@" || status=1
    done
}

force_check() {  # DIR DATE: --force on the last date gives the same bytes
    cp -r "$1/outbox/$2" "$1/first-$2"
    "$bin/settle-run" --config "$1/settle.yaml" --date "$2" --force >/dev/null 2>&1 || {
        echo "settle run --force $2 failed"; status=1; }
    for f in "$1/first-$2"/*; do
        cmp -s "$f" "$1/outbox/$2/$(basename "$f")" || { echo "--force $2: $(basename "$f") differs"; status=1; }
    done
}

status=0
case $mode in
samples)
    dir=$tmp/samples
    rm -rf "$dir"; mkdir -p "$dir"
    cp -r "$root/fixtures/samples/data/." "$dir/"
    cp -r "$root/schemas" "$dir/schemas"
    dates="2026-11-26 2026-11-27 2026-11-28 2026-11-29"
    reference "$dir" $dates
    for p in tools own; do
        echo "reference (--parse $p) vs fixtures/samples/expected:"
        python3 "$here/compare.py" --raw "$root/fixtures/samples/expected" "$dir/ref-$p" $dates || status=1
    done
    run_settle "$dir" $dates
    compare_all "$dir" $dates
    ;;
gen)
    seed=${2:-1} rate=${3:-0.03} n=${4:-3000}
    dir=$tmp/gen-$seed-$rate-$n-${TIERDIV:-2}
    rm -rf "$dir"
    "$root/${BUILD:-build}/tools/settle-gen" --date 2026-11-28 --days 6 --charges "$n" \
        --anomalies "$rate" --seed "$seed" --config --out "$dir" 2>/dev/null
    # share tiers low enough that month-to-date crosses them within the days
    # (each upper bound divided by ${TIERDIV:-2}; a day's matched net is near
    # the generated first bound)
    awk -v div="${TIERDIV:-2}" '
        /upto_poisha: [0-9]+/ {
            match($0, /upto_poisha: [0-9]+/)
            v = substr($0, RSTART + 13, RLENGTH - 13)
            $0 = substr($0, 1, RSTART - 1) "upto_poisha: " int(v / div) substr($0, RSTART + RLENGTH)
        }
        { print }' "$dir/settle.yaml" > "$dir/settle.yaml.new"
    mv "$dir/settle.yaml.new" "$dir/settle.yaml"
    cp -r "$root/schemas" "$dir/schemas"
    mkdir -p "$dir/keys"
    cp "$root/tests/keys/TEST-ONLY-bpo-ed25519.pem" "$dir/keys/bpo-ed25519.pem"
    dates="2026-11-28 2026-11-29 2026-11-30 2026-12-01 2026-12-02 2026-12-03"
    run_settle "$dir" $dates
    reference "$dir" $dates
    force_check "$dir" 2026-12-03
    echo "seed $seed, anomalies $rate, $n charges, tiers / ${TIERDIV:-2}:"
    compare_all "$dir" $dates
    ;;
scen)
    w=${2:-24}
    dir=$tmp/scen-$w-${DEDUP:-2}
    rm -rf "$dir"; mkdir -p "$dir/keys"
    python3 "$here/scenarios.py" "$dir" "$w"
    cat > "$dir/settle.yaml" <<YAML
inbox: inbox
outbox: outbox
state: state
signing_key: keys/bpo-ed25519.pem
window_hours: $w
dedup_days: ${DEDUP:-2}
per_charge_cap_poisha: 50000
dcb_fee_bps: 1500
operators:
  GP:
    schema: schemas/gp.yaml
    file: GP_DCB_{YYYYMMDD}.csv.gz
    share_tiers:
      - {upto_poisha: 250001, bps: 1250}
      - {bps: 1000}
  ROBI:
    schema: schemas/robi.yaml
    file: robi_dcb_{YYYY-MM-DD}.txt
    share_tiers:
      - {upto_poisha: 100000, bps: 1500}
      - {upto_poisha: 300000, bps: 1250}
      - {bps: 1000}
  BL:
    schema: schemas/bl.yaml
    file: BL-DCB-{DDMMYYYY}.csv
    share_tiers:
      - {upto_poisha: 200000, bps: 2500}
      - {bps: 2000}
  TT:
    schema: schemas/tt.yaml
    file: TT_DCB_{YYYYMMDD}.dat
    share_tiers:
      - {upto_poisha: 110000, bps: 1000}
      - {upto_poisha: 315000, bps: 750}
      - {bps: 500}
orders:
  bpo: bpo_orders_{YYYYMMDD}.csv
  ecab: ecab_orders_{YYYYMMDD}.csv
YAML
    cp -r "$root/schemas" "$dir/schemas"
    cp "$root/tests/keys/TEST-ONLY-bpo-ed25519.pem" "$dir/keys/bpo-ed25519.pem"
    dates="2026-11-28 2026-11-29 2026-11-30 2026-12-01 2026-12-02 2026-12-03"
    run_settle "$dir" $dates
    reference "$dir" $dates
    force_check "$dir" 2026-12-03
    echo "hand-made cases, window $w h, dedup ${DEDUP:-2} days:"
    compare_all "$dir" $dates
    ;;
*)
    echo "usage: $0 samples | gen SEED [RATE] [CHARGES]" >&2; exit 64 ;;
esac
[ $status = 0 ] && echo "no differences"
exit $status
