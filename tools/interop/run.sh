#!/usr/bin/env bash
# Interoperability check of phonetoken's tokens, pseudonyms and purpose keys against Tink,
# Python `cryptography` and Python `hmac`, and of its oblivious pseudonyms and sealed numbers
# against an RFC 9497 written on libsodium (needs Debian's libsodium23) and pyhpke. CI calls
# this script; it exits non-zero on any mismatch and ends with one summary line.
#
# Environment:
#   PHONETOKEN_INTEROP_VENV  Python virtual environment to create/reuse
#                            (default: .venv-interop/ at the repository root)
#   PYTHON                   Python 3 to build it with (default: python3)
#   CARGO_TARGET_DIR         honoured as usual
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venv="${PHONETOKEN_INTEROP_VENV:-$root/.venv-interop}"
python="${PYTHON:-python3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r "$root/tools/interop/requirements.txt"

cd "$root"
export PHONETOKEN_INTEROP_DIR="$work"
cargo test --quiet --features std --test interop -- --ignored --exact interop_write
"$venv/bin/python" "$root/tools/interop/check.py" "$work"
cargo test --quiet --features std --test interop -- --ignored --exact interop_read_tink_tokens
# The device side: RFC 9497 written out on libsodium's ristretto255 (checked against the RFC's
# vectors first), and RFC 9180 from pyhpke.
"$venv/bin/python" "$root/tools/interop/rfc9497_sodium.py" "$root/tests/data/rfc9497_ristretto255.txt"
cargo test --quiet --features std,oprf,seal --test interop_device -- --ignored --exact device_write
# The command line on the same key and numbers: direct, and the device path.
cargo build --quiet --profile test --all-features --bin phonetoken
pt="${CARGO_TARGET_DIR:-$root/target}/debug/phonetoken"
keys="$work/device_keyset.json"
pinned="$("$pt" oprf public-key --keyset "$keys")"
"$pt" oprf pseudonymize --keyset "$keys" --encoding hex \
    --input "$work/numbers.txt" --output "$work/cli_oprf_direct.txt"
"$pt" oprf blind --public-key "$pinned" --state "$work/cli.state" \
    --input "$work/numbers.txt" --output "$work/cli_requests.txt"
"$pt" oprf evaluate --keyset "$keys" --input "$work/cli_requests.txt" --output "$work/cli_responses.txt"
"$pt" oprf finalize --public-key "$pinned" --state "$work/cli.state" --encoding hex \
    --input "$work/cli_responses.txt" --output "$work/cli_oprf_device.txt"
"$venv/bin/python" "$root/tools/interop/device.py" "$work"
"$pt" open --keyset "$keys" --context activation \
    --input "$work/python_envelopes.txt" --output "$work/cli_opened.txt"
cmp "$work/python_envelopes_numbers.txt" "$work/cli_opened.txt"
cargo test --quiet --features std,oprf,seal --test interop_device -- --ignored --exact device_read
echo "interop: OK (phonetoken <-> Tink, Tink encrypted keysets, cryptography AESSIV, hmac, HKDF, libsodium ristretto255 OPRF, pyhpke)"
