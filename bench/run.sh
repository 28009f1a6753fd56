#!/usr/bin/env bash
# peer-eval benchmark (SPEC §10). One command, from the repository root:
#
#   bench/run.sh            # full: 10k / 100k / 1M responses
#   bench/run.sh quick      # 10k / 100k only
#
# Prints, side by side in one run: the floor (every cell read with calamine, files
# in parallel: `examples/floor.rs`), `peer-eval run`, and their ratio; scaling with
# the number of responses; peak memory for 1x and 10x the number of files of the
# same size; --jobs 1 against all cores; and, where Python with pandas is
# installed, the pandas peer (bench/pandas_peer.py) with calamine and openpyxl.
# Times are the best of 3 runs. Results for this machine: docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
cargo build --release --quiet --example floor
BIN=$PWD/target/release/peer-eval
FLOOR=$PWD/target/release/examples/floor
WORK=${BENCH_DIR:-$(mktemp -d)}
SIZES="10000 100000 1000000"
[ "${1:-}" = quick ] && SIZES="10000 100000"

now() { date +%s.%N; }
best_of_3() { # command... → best wall seconds
  local best=999999 t0 t1 s
  for _ in 1 2 3; do
    t0=$(now); "$@" >/dev/null 2>&1; t1=$(now)
    s=$(echo "$t1 - $t0" | bc -l)
    best=$(echo "if ($s < $best) $s else $best" | bc -l)
  done
  printf '%.3f' "$best"
}
peak_kb() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -n 1; }
ratio() { printf '%.2f' "$(echo "$1 / $2" | bc -l)"; }
synth() { # dir responses files activities
  [ -d "$1/input" ] || "$BIN" synth --out "$1/input" --responses "$2" --files "$3" --activities "$4" --seed 7
}

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo
echo "== run against the floor (50 files) =="
printf '%-10s %8s %10s %10s %8s\n' responses cells floor_s run_s ratio
declare -A RUN
for n in $SIZES; do
  dir=$WORK/r$n
  synth "$dir" "$n" 50 500
  cells=$("$FLOOR" "$dir/input" | cut -d' ' -f1)
  floor=$(best_of_3 "$FLOOR" "$dir/input")
  run=$(cd "$dir" && best_of_3 "$BIN" run --quiet)
  RUN[$n]=$run
  printf '%-10s %8s %10s %10s %8s\n' "$n" "$cells" "$floor" "$run" "$(ratio "$run" "$floor")"
done
echo
echo "== scaling: 10x the responses =="
prev=""
for n in $SIZES; do
  if [ -n "$prev" ]; then
    echo "$prev -> $n responses: time x$(ratio "${RUN[$n]}" "${RUN[$prev]}") (target <= 11)"
  fi
  prev=$n
done
echo
echo "== peak memory: 10x the files of the same size (2 000 responses each) =="
synth "$WORK/f20" 40000 20 200
synth "$WORK/f200" 400000 200 200
m1=$(cd "$WORK/f20" && peak_kb "$BIN" run --quiet)
m10=$(cd "$WORK/f200" && peak_kb "$BIN" run --quiet)
echo "20 files: ${m1} KB; 200 files: ${m10} KB; ratio $(ratio "$m10" "$m1") (target < 1.5)"
echo
echo "== --jobs 1 against all cores (100 000 responses) =="
dir=$WORK/r100000
synth "$dir" 100000 50 500
one=$(cd "$dir" && best_of_3 "$BIN" run --quiet --jobs 1)
all=$(cd "$dir" && best_of_3 "$BIN" run --quiet)
echo "--jobs 1: ${one} s; all $(nproc) cores: ${all} s; speed-up x$(ratio "$one" "$all")"
echo
echo "== pandas peer (100 000 responses, 50 files) =="
if python3 -c 'import pandas, jinja2, xlsxwriter' 2>/dev/null; then
  for engine in calamine openpyxl; do
    if python3 -c "import $( [ $engine = calamine ] && echo python_calamine || echo openpyxl )" 2>/dev/null; then
      t=$(best_of_3 python3 bench/pandas_peer.py "$dir/input" "$WORK/pandas-$engine" "$engine")
      echo "pandas + $engine: ${t} s; peer-eval ${all} s; peer-eval is x$(ratio "$t" "$all") faster"
    else
      echo "pandas + $engine: engine not installed; skipped"
    fi
  done
else
  echo "pandas, jinja2 or xlsxwriter not installed; skipped (pip install pandas python-calamine openpyxl xlsxwriter jinja2)"
fi
