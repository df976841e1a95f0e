#!/usr/bin/env bash
# The short fuzz run of .ci/run (fuzz/README.md, "In CI"): every target for 20 s on its
# committed corpus. Run from anywhere; it works from the repository root.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== fuzz targets, 20 s each on their committed corpora (fuzz/README.md)"
# cargo-fuzz needs nightly flags; RUSTC_BOOTSTRAP=1 lets the stable toolchain accept them. A
# crash or a failed property exits non-zero and fails CI; new inputs go to a scratch folder, not
# the committed corpus. Unoptimised (--dev) and without AddressSanitizer (-s none), the build
# from scratch stays short; the long runs of fuzz/README.md use the optimised ASan build.
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi
(cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz build --dev -s none)
fuzz_new=$(mktemp -d)
for target in csv_import values rules_file profile; do
  mkdir -p "$fuzz_new/$target"
  log="$fuzz_new/$target.log"
  if ! (cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run --dev -s none "$target" "$fuzz_new/$target" \
    "corpus/$target" -- -max_total_time=20 -timeout=10 -print_final_stats=1 >"$log" 2>&1); then
    cat "$log"
    echo "fuzz target $target failed; the input is under fuzz/artifacts/$target (fuzz/README.md)"
    exit 1
  fi
  echo "$target: $(grep -E '^stat::number_of_executed_units' "$log") in 20 s"
done
rm -rf "$fuzz_new"
