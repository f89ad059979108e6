#!/usr/bin/env bash
# Instruction counts (valgrind callgrind) of classify, classify_as and the IgnoredAny floor
# on the twelve canonical bodies: stable on a noisy machine. Needs valgrind.
#     bash benches/instructions.sh
# FEATURES="tracing" bash benches/instructions.sh measures with those cargo features on.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q --release --example instructions --features "${FEATURES:-}"
bin="${CARGO_TARGET_DIR:-target}/release/examples/instructions"
out=$(mktemp -d)
echo "| body | IgnoredAny | classify | classify_as | classify / IgnoredAny | classify_as / IgnoredAny |"
echo "| --- | --- | --- | --- | --- | --- |"
for b in gateway_403 mimo_401 minimax_200 novita_403 openai_400 gemini_400 bedrock_429 zhipu_429 dashscope_401 openrouter_429 openai_429_headers anthropic_429_headers escaped_403 completion_200 chunk_200 elevenlabs_401; do
  valgrind --tool=callgrind --callgrind-out-file="$out/$b" \
    --toggle-collect='instructions::measure_*' "$bin" "$b" >/dev/null 2>&1
  # Inclusive counts of each measure_* function, divided by its 1000 iterations.
  callgrind_annotate --inclusive=yes "$out/$b" 2>/dev/null | awk -v b="$b" '
    /instructions::measure_ignored_any/ { gsub(",", "", $1); i = $1 / 1000 }
    /instructions::measure_classify_as/ { gsub(",", "", $1); a = $1 / 1000; next }
    /instructions::measure_classify / { gsub(",", "", $1); c = $1 / 1000 }
    END {
      if (a > 0) printf "| %s | %d | %d | %d | %.2fx | %.2fx |\n", b, i, c, a, c / i, a / i
      else printf "| %s | %d | %d | - | %.2fx | - |\n", b, i, c, c / i
    }'
done
rm -rf "$out"
