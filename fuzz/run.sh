#!/usr/bin/env bash
# Open-ended fuzzing with AFL++ (cargo-afl), one target at a time on ONE core, each until it
# reaches EXECS executions or its share of BUDGET seconds (what a target finishes early is
# shared among the ones after it). Prints one table row per target (the README's "Fuzzing" table).
#
#   fuzz/run.sh [TARGET...]        # default: every target; env: EXECS (10000000), BUDGET (5400),
#                                  # OUT (/tmp/cibform-fuzz), CARGO_TARGET_DIR; EXECS_<target>
#                                  # (e.g. EXECS_planfile=2400000) overrides EXECS for one target
#
# Needs `cargo install cargo-afl` (it builds AFL++ from source). Crashes land in
# $OUT/<target>/default/crashes/: copy each into fuzz/regressions/<target>/ once fixed.
set -euo pipefail
cd "$(dirname "$0")"

targets=("$@")
((${#targets[@]})) || targets=(rule corosync_conf yaml planfile cib)
execs=${EXECS:-10000000}
budget=${BUDGET:-5400}
out=${OUT:-/tmp/cibform-fuzz}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
export AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
# A shared machine: no pinning to a core someone else may load (the scheduler moves us), one
# calibration pass per seed, and CmpLog only on inputs that found something new.
export AFL_NO_AFFINITY=1 AFL_FAST_CAL=1 AFL_CMPLOG_ONLY_NEW=1

cargo afl build --release --bins >&2
start=$(date +%s)
echo "| target | executions | exec/s | corpus (paths) | edges | crashes | hangs | wall time |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for i in "${!targets[@]}"; do
  t=${targets[$i]}
  left=$((budget - ($(date +%s) - start)))
  share=$((left / (${#targets[@]} - i)))
  ((share > 60)) || share=60
  rm -rf "${out:?}/$t"
  mkdir -p "$out/$t"
  t0=$(date +%s)
  # -t: a CIB that takes over a second is a hang worth a look, not a slow seed.
  limit=EXECS_$t
  cargo afl fuzz -i "corpus/$t" -o "$out/$t" -t 2000 -E "${!limit:-$execs}" -V "$share" \
    "$CARGO_TARGET_DIR/release/$t" >"$out/$t.log" 2>&1 || true
  wall=$(($(date +%s) - t0))
  stats="$out/$t/default/fuzzer_stats"
  get() { sed -nE "s/^$1 *: *//p" "$stats"; }
  printf '| %s | %s | %.0f | %s | %s / %s (%s) | %s | %s | %dm%02ds |\n' "$t" "$(get execs_done)" \
    "$(awk -v e="$(get execs_done)" -v w="$wall" 'BEGIN { print (w ? e / w : 0) }')" "$(get corpus_count)" \
    "$(get edges_found)" "$(get total_edges)" "$(get bitmap_cvg)" "$(get saved_crashes)" "$(get saved_hangs)" \
    $((wall / 60)) $((wall % 60))
done
