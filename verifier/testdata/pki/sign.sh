# shellcheck shell=bash
# Shared by generate.sh and pss.sh (sourced, not run): running openssl with a log, and making
# CMS signatures with a fixed claimed signingTime. The caller sets WORK (a scratch directory),
# LOG, SIGNING_TIME and DOC, works in this directory (keys/ and cms/), and puts each signer's
# certificate in PEM at $WORK/pem/NAME.pem.

run() {
    if ! "$@" >>"$LOG" 2>&1; then
        echo "FAILED: $*" >&2
        tail -n 30 "$LOG" >&2
        exit 1
    fi
}

# openssl cms -sign stamps signingTime with "now". fix_signing_time rewrites it to SIGNING_TIME
# (same length) in every SignerInfo and re-signs signedAttrs (DER, [0] -> SET) with the signer's
# key, found by checking the original signature against each candidate key. RSA signatures keep
# their length; ECDSA ones are redone until the DER length matches.
# fix_signing_time FILE DIGEST "KEYNAME..." [openssl dgst -sigopt args...]
fix_signing_time() {
    local f=$1 md=$2 keys=$3; shift 3
    local sigopts=("$@") recs rec
    cut_bytes() { dd if="$1" iflag=skip_bytes,count_bytes skip="$2" count="$3" bs=65536 status=none; }
    recs=$(openssl asn1parse -inform DER -in "$f" | awk '
        function num(s, k,  v) { v = s; sub(".*" k "=", "", v); sub(/[^0-9a-z].*/, "", v); return v }
        {
            off = $0; sub(/:.*/, "", off); off += 0
            d = num($0, "d"); hl = num($0, "hl"); l = $0; sub(/.* l= */, "", l); sub(/ .*/, "", l)
        }
        d == 5 && /cons: cont \[ 0 \]/ { ao = off; ah = hl; al = l; inattr = 1; to = -1; next }
        inattr && /:signingTime/ { wantt = 1; next }
        inattr && wantt && /UTCTIME/ { to = off + hl; wantt = 0; next }
        inattr && d == 5 && /OCTET STRING/ {
            print ao, ah, al, to, off + hl, l; inattr = 0
        }')
    [ -n "$recs" ] || return 0
    while read -r ao ah al to so sl; do
        [ "$to" -ge 0 ] || continue
        cut_bytes "$f" "$ao" $((ah + al)) > "$WORK/a.der"
        { printf '\061'; tail -c +2 "$WORK/a.der"; } > "$WORK/a-old.der"
        cut_bytes "$f" "$so" "$sl" > "$WORK/sig-old"
        local key="" k
        for k in $keys; do
            if openssl dgst "-$md" -prverify "keys/$k.key.pem" "${sigopts[@]}" \
                -signature "$WORK/sig-old" "$WORK/a-old.der" >/dev/null 2>&1; then
                key=$k; break
            fi
        done
        [ -n "$key" ] || { echo "fix_signing_time: no key among '$keys' signed $f" >&2; exit 1; }
        printf '%s' "$SIGNING_TIME" | dd of="$f" bs=1 seek="$to" conv=notrunc status=none
        cut_bytes "$f" "$ao" $((ah + al)) > "$WORK/a.der"
        { printf '\061'; tail -c +2 "$WORK/a.der"; } > "$WORK/a-new.der"
        local tries=0
        while :; do
            run openssl dgst "-$md" -sign "keys/$key.key.pem" "${sigopts[@]}" \
                -out "$WORK/sig-new" "$WORK/a-new.der"
            [ "$(wc -c < "$WORK/sig-new")" -eq "$sl" ] && break
            tries=$((tries + 1))
            [ "$tries" -lt 200 ] || { echo "fix_signing_time: length never matched for $f" >&2; exit 1; }
        done
        dd if="$WORK/sig-new" of="$f" bs=1 seek="$so" conv=notrunc status=none
    done <<< "$recs"
}

# sign OUT "SIGNER..." MODE(detached|attached) [extra openssl cms options...]
# Options that matter to fix_signing_time: -md X, PSS -keyopt.
sign() {
    local out=$1 signers=$2 mode=$3; shift 3
    local args=() s md=sha256 sigopts=() a
    for s in $signers; do args+=(-signer "$WORK/pem/$s.pem" -inkey "keys/$s.key.pem"); done
    [ "$mode" = attached ] && args+=(-nodetach)
    local prev="" cades=-cades
    for a in "$@"; do
        [ "$a" = -noattr ] && cades=""   # CAdES needs signed attributes
        [ "$prev" = -md ] && md=$a
        [ "$prev" = -keyopt ] && sigopts+=(-sigopt "$a")
        prev=$a
    done
    run openssl cms -sign -binary -in "$DOC" "${args[@]}" -nosmimecap $cades -outform DER \
        -out "cms/$out" -md "$md" "$@"
    fix_signing_time "cms/$out" "$md" "$signers" "${sigopts[@]}"
}
