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
# installed, the pandas peer (bench/pandas_peer.py) with calamine and openpyxl,
# against peer-eval's best time on the same files in the run.
# Times are the best of 5 runs (3 for the pandas peer); the floor and the run are
# measured in alternation, so drift in the machine's speed hits both alike. Reruns
# on the same files rewrite only the output files whose bytes change (run.json);
# one line also times a run into an empty output folder, where every file is new.
# Results for this machine: docs/performance.md.
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
seconds() { # command... → wall seconds of one run
  local t0 t1
  t0=$(now); "$@" >/dev/null 2>&1; t1=$(now)
  echo "$t1 - $t0" | bc -l
}
smaller() { echo "if ($1 < $2) $1 else $2" | bc -l; }
best_of() { # n command... → best wall seconds of n runs
  local n=$1 best=999999
  shift
  for _ in $(seq "$n"); do best=$(smaller "$(seconds "$@")" "$best"); done
  printf '%.3f' "$best"
}
floor_and_run() { # dir → "floor_s run_s", best of 5 each, in alternation
  local f=999999 r=999999
  for _ in 1 2 3 4 5; do
    f=$(smaller "$(seconds "$FLOOR" "$1/input")" "$f")
    r=$(smaller "$(cd "$1" && seconds "$BIN" run --quiet)" "$r")
  done
  printf '%.3f %.3f' "$f" "$r"
}
peak_kb() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -n 1; }
ratio() { printf '%.2f' "$(echo "$1 / $2" | bc -l)"; }
synth() { # dir responses files activities
  [ -d "$1/input" ] || "$BIN" synth --out "$1/input" --responses "$2" --files "$3" --activities "$4" --seed 7
}

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo
echo "== run against the floor (50 files; and SPEC §10's example, 200 files) =="
printf '%-10s %6s %9s %10s %10s %8s\n' responses files cells floor_s run_s ratio
declare -A RUN
row() { # dir responses files
  local cells times floor run
  cells=$("$FLOOR" "$1/input" | cut -d' ' -f1)
  times=$(floor_and_run "$1")
  floor=${times% *}
  run=${times#* }
  printf '%-10s %6s %9s %10s %10s %8s\n' "$2" "$3" "$cells" "$floor" "$run" "$(ratio "$run" "$floor")"
  RUN[$2/$3]=$run
}
for n in $SIZES; do
  synth "$WORK/r$n" "$n" 50 500
  row "$WORK/r$n" "$n" 50
done
synth "$WORK/spec" 200000 200 500
row "$WORK/spec" 200000 200
echo
echo "== every output file written: a run into an empty output folder (100 000 responses) =="
# The runs above rewrite only what changed (run.json); here all 505 files are new.
fresh=999999
for _ in 1 2 3; do
  rm -rf "$WORK/r100000/fresh-output"
  fresh=$(smaller "$(cd "$WORK/r100000" && seconds "$BIN" run --quiet --output fresh-output)" "$fresh")
done
rm -rf "$WORK/r100000/fresh-output"
echo "empty output folder: $(printf '%.3f' "$fresh") s; rerun: ${RUN[100000/50]} s"
echo
echo "== scaling: 10x the responses =="
prev=""
for n in $SIZES; do
  if [ -n "$prev" ]; then
    echo "$prev -> $n responses: time x$(ratio "${RUN[$n/50]}" "${RUN[$prev/50]}") (target <= 11)"
  fi
  prev=$n
done
echo
echo "== peak memory: 10x the files of the same size (2 000 responses each) =="
synth "$WORK/f20" 40000 20 200
synth "$WORK/f200" 400000 200 200
median_peak_kb() { # dir → median peak RSS (KB) of 3 runs
  (cd "$1" && for _ in 1 2 3; do peak_kb "$BIN" run --quiet; done) | sort -n | sed -n 2p
}
m1=$(median_peak_kb "$WORK/f20")
m10=$(median_peak_kb "$WORK/f200")
echo "20 files: ${m1} KB; 200 files: ${m10} KB (median of 3 each); ratio $(ratio "$m10" "$m1") (target < 1.5)"
echo
echo "== --jobs 1 against all cores (100 000 responses) =="
dir=$WORK/r100000
synth "$dir" 100000 50 500
one=$(cd "$dir" && best_of 5 "$BIN" run --quiet --jobs 1)
all=$(cd "$dir" && best_of 5 "$BIN" run --quiet)
echo "--jobs 1: ${one} s; all $(nproc) cores: ${all} s; speed-up x$(ratio "$one" "$all")"
# peer-eval's best time on these files in this run (the first section timed it too).
best=$(printf '%.3f' "$(smaller "$all" "${RUN[100000/50]}")")
echo
echo "== pandas peer (100 000 responses, 50 files) =="
if python3 -c 'import pandas, jinja2, xlsxwriter' 2>/dev/null; then
  for engine in calamine openpyxl; do
    if python3 -c "import $( [ $engine = calamine ] && echo python_calamine || echo openpyxl )" 2>/dev/null; then
      t=$(best_of 3 python3 bench/pandas_peer.py "$dir/input" "$WORK/pandas-$engine" "$engine")
      echo "pandas + $engine: ${t} s; peer-eval ${best} s; peer-eval is x$(ratio "$t" "$best") faster"
    else
      echo "pandas + $engine: engine not installed; skipped"
    fi
  done
else
  echo "pandas, jinja2 or xlsxwriter not installed; skipped (pip install pandas python-calamine openpyxl xlsxwriter jinja2)"
fi
echo
echo "== 2 000 activities: 100 000 responses in 50 files, one page per activity (pandas + calamine peer) =="
dir=$WORK/a2000
synth "$dir" 100000 50 2000
if python3 -c 'import pandas, jinja2, xlsxwriter, python_calamine' 2>/dev/null; then
  # Side by side in alternation, best of 3 each.
  p=999999; r=999999
  for _ in 1 2 3; do
    p=$(smaller "$(seconds python3 bench/pandas_peer.py "$dir/input" "$WORK/pandas-a2000" calamine)" "$p")
    r=$(smaller "$(cd "$dir" && seconds "$BIN" run --quiet)" "$r")
  done
  echo "pandas + calamine: $(printf '%.3f' "$p") s; peer-eval $(printf '%.3f' "$r") s; peer-eval is x$(ratio "$p" "$r") faster (target >= 5)"
else
  echo "pandas + calamine not installed; skipped"
fi
