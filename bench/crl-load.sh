#!/usr/bin/env bash
# Loads a 1,000,000-entry CRL (DER and PEM) as the gateway does and prints time and memory (docs/performance.md,
# "Large CRLs"). Usage: bench/crl-load.sh [ENTRIES]. Bounded: one generation of seconds, then a few seconds per load.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
entries="${1:-1000000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
dotnet build -c Release "$here/CrlLoad/CrlLoad.csproj" -o "$work/bin" >/dev/null
dotnet "$work/bin/crl-load.dll" generate "$work/pki" "$entries"
for file in big.crl big.pem; do
  for round in 1 2; do
    dotnet "$work/bin/crl-load.dll" load "$work/pki" "$file"
  done
done
