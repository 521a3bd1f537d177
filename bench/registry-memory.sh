#!/usr/bin/env bash
# Fills the partner registry with PARTNERS distinct certificates (MaxPartners = PARTNERS) and prints the managed
# memory it holds per record (docs/performance.md, "Partner registry"). Usage: bench/registry-memory.sh [PARTNERS].
# Bounded: a Release build, then seconds. Three runs, each in a fresh process.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
partners="${1:-1000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
dotnet build -c Release "$here/RegistryMemory/RegistryMemory.csproj" -o "$work/bin" >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
for round in 1 2 3; do
  dotnet "$work/bin/registry-memory.dll" "$partners"
done
