#!/usr/bin/env bash
# gpu-bench.sh: runs the packed Gradient Lab benchmark (npm run pack:gpu-bench) on a Linux x86-64 GPU machine with no Node and no network.
#
# Copied into dist-gpu-bench/ by scripts/pack-gpu-bench.ts; it works only from there. It checks
# that a Vulkan driver is installed, unpacks Node and Dawn into a temporary folder, prints the GPU
# (nvidia-smi) and the adapter Dawn picks (probe.mjs), refuses a software adapter, then runs
# bench.mjs with the arguments given and writes bench-results.json and gpu-bench.log beside itself.
# Docs: docs/gpu-bench.md in the repository.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LOG="$HERE/gpu-bench.log"
EXIT_ENV=2      # this machine cannot run it: no driver, no gzip, not Linux x86-64, a damaged folder
EXIT_SOFTWARE=3 # the only adapter is a software one (set GPU_BENCH_ALLOW_SOFTWARE=1 to run anyway)

usage() {
  cat <<'EOF'
usage: gpu-bench.sh [benchmark flags]
  Runs the packed benchmark with its own Node; every flag is passed to it, e.g.
    ./gpu-bench.sh                                   all workloads, 5 rounds
    ./gpu-bench.sh --only mlp-step,softmax-step --rounds 5
    ./gpu-bench.sh --impls cpu,webgpu,tfjs-webgpu --memory-workload none
  Benchmark flags: --rounds N (1-100), --window N, --only W1,W2, --impls I1,I2, --memory-workload W|none
  Writes bench-results.json and gpu-bench.log next to this script.
Environment:
  GPU_BENCH_VK_ICD=/path/icd.json[:…]  use these Vulkan drivers only (VK_ICD_FILENAMES), e.g. the
                                       NVIDIA one, or SwiftShader for a test on a machine without a GPU
  GPU_BENCH_ALLOW_SOFTWARE=1           run even if Dawn's adapter is a software one (SwiftShader, llvmpipe)
  GPU_BENCH_ICD_SEARCH=dir[:dir…]      folders searched for Vulkan driver manifests (default: the loader's)
  GPU_BENCH_TMP=dir                    where Node and Dawn are unpacked (default: $TMPDIR or /tmp, else here)
Exit status: 0 done, 1 the benchmark failed, 2 this machine cannot run it, 3 software adapter refused.
EOF
}

fail() {
  local code="$1"
  shift
  printf 'gpu-bench: error: %s\n' "$*" >&2
  exit "$code"
}

# Folders where the Vulkan loader looks for driver manifests on Linux, in its order.
icd_search_dirs() {
  if [ -n "${GPU_BENCH_ICD_SEARCH:-}" ]; then
    tr ':' '\n' <<<"$GPU_BENCH_ICD_SEARCH"
    return
  fi
  local d
  echo "${XDG_CONFIG_HOME:-${HOME:-/nonexistent}/.config}/vulkan/icd.d"
  for d in $(tr ':' ' ' <<<"${XDG_CONFIG_DIRS:-/etc/xdg}"); do echo "$d/vulkan/icd.d"; done
  echo /usr/local/etc/vulkan/icd.d
  echo /etc/vulkan/icd.d
  echo "${XDG_DATA_HOME:-${HOME:-/nonexistent}/.local/share}/vulkan/icd.d"
  for d in $(tr ':' ' ' <<<"${XDG_DATA_DIRS:-/usr/local/share:/usr/share}"); do echo "$d/vulkan/icd.d"; done
}

# Prints each driver manifest with the library it names; fails when there is none.
check_vulkan_driver() {
  local manifests=() f d
  if [ -n "${GPU_BENCH_VK_ICD:-}" ]; then
    for f in $(tr ':' ' ' <<<"$GPU_BENCH_VK_ICD"); do
      [ -r "$f" ] || fail $EXIT_ENV "GPU_BENCH_VK_ICD names $f, which is not a readable file"
      manifests+=("$f")
    done
    export VK_ICD_FILENAMES="$GPU_BENCH_VK_ICD" VK_DRIVER_FILES="$GPU_BENCH_VK_ICD"
    echo "vulkan drivers: GPU_BENCH_VK_ICD=$GPU_BENCH_VK_ICD"
  elif [ -n "${VK_ICD_FILENAMES:-}${VK_DRIVER_FILES:-}" ]; then
    for f in $(tr ':' ' ' <<<"${VK_DRIVER_FILES:-$VK_ICD_FILENAMES}"); do
      [ -r "$f" ] || fail $EXIT_ENV "VK_ICD_FILENAMES/VK_DRIVER_FILES names $f, which is not a readable file"
      manifests+=("$f")
    done
    echo "vulkan drivers: VK_ICD_FILENAMES/VK_DRIVER_FILES from the environment"
  else
    while IFS= read -r d; do
      for f in "$d"/*.json; do [ -r "$f" ] && manifests+=("$f"); done
    done < <(icd_search_dirs)
    if [ ${#manifests[@]} -eq 0 ]; then
      fail $EXIT_ENV "no Vulkan driver: no driver manifest (*.json) in $(icd_search_dirs | paste -sd' ' -).
  Install the GPU's Vulkan driver (NVIDIA: the driver's libnvidia-gl / Vulkan ICD, which writes nvidia_icd.json);
  in a container, run with the NVIDIA container toolkit and NVIDIA_DRIVER_CAPABILITIES=all (graphics is the part with Vulkan);
  or name a manifest with GPU_BENCH_VK_ICD=/path/to/icd.json."
    fi
    echo "vulkan drivers: the loader's own search"
  fi
  for f in "${manifests[@]}"; do
    echo "  $f -> $(grep -o '"library_path"[^,}]*' "$f" | sed 's/"library_path" *: *//' || echo '(no library_path)')"
  done
}

# Uses the system's Vulkan loader, or the packed one (Debian 12's) where there is none.
choose_vulkan_loader() {
  local d
  if command -v ldconfig >/dev/null 2>&1 && ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1 .*x86-64'; then
    echo "vulkan loader: the system's ($(ldconfig -p | grep -m1 'libvulkan\.so\.1 .*x86-64' | sed 's/.*=> //'))"
    return
  fi
  for d in /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/lib /lib/x86_64-linux-gnu /lib64; do
    if [ -e "$d/libvulkan.so.1" ]; then
      echo "vulkan loader: the system's ($d/libvulkan.so.1)"
      return
    fi
  done
  [ -r "$HERE/lib/libvulkan.so.1" ] || fail $EXIT_ENV "no Vulkan loader (libvulkan.so.1) on this machine and none in $HERE/lib: install libvulkan1"
  export LD_LIBRARY_PATH="$HERE/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  echo "vulkan loader: the packed one ($HERE/lib/libvulkan.so.1; the system has none)"
}

# Unpacks node.gz and dawn.node.gz into a new folder where they may be executed; prints the folder.
unpack_binaries() {
  local dir bin candidates=("${GPU_BENCH_TMP:-}" "${TMPDIR:-/tmp}" /var/tmp "$HERE")
  for dir in "${candidates[@]}"; do
    [ -n "$dir" ] && [ -d "$dir" ] && [ -w "$dir" ] || continue
    bin="$(mktemp -d "$dir/gpu-bench-bin.XXXXXX")" || continue
    if gzip -dc "$HERE/node.gz" >"$bin/node" && gzip -dc "$HERE/dawn.node.gz" >"$bin/dawn.node" &&
      chmod +x "$bin/node" && "$bin/node" --version >/dev/null 2>&1; then
      echo "$bin"
      return
    fi
    rm -rf "$bin"
  done
  fail $EXIT_ENV "the packed Node does not run here (tried ${candidates[*]}): it needs glibc 2.28+ and libstdc++, and a folder that allows executing files (set GPU_BENCH_TMP)"
}

main() {
  set -euo pipefail
  echo "gpu-bench: $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -n), $(uname -srm), $(getconf GNU_LIBC_VERSION 2>/dev/null || echo 'glibc ?')"
  [ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] || fail $EXIT_ENV "this folder runs on Linux x86-64 only, not $(uname -s)-$(uname -m)"
  command -v gzip >/dev/null 2>&1 || fail $EXIT_ENV "gzip not found: it unpacks node.gz and dawn.node.gz"
  local glibc
  glibc="$(getconf GNU_LIBC_VERSION 2>/dev/null | awk '{print $2}' || true)"
  if [ -n "$glibc" ] && [ "$(printf '%s\n' 2.34 "$glibc" | sort -V | head -1)" != 2.34 ]; then
    fail $EXIT_ENV "glibc $glibc is older than 2.34, which Dawn (dawn.node) needs: use Ubuntu 22.04+, Debian 12+ or RHEL 9+"
  fi
  for f in node.gz dawn.node.gz bench.mjs probe.mjs SHA256SUMS; do
    [ -r "$HERE/$f" ] || fail $EXIT_ENV "$HERE is not a whole packed folder ($f missing): run npm run pack:gpu-bench and copy all of dist-gpu-bench/"
  done
  if command -v sha256sum >/dev/null 2>&1; then
    (cd "$HERE" && sha256sum --check --quiet SHA256SUMS) || fail $EXIT_ENV "the folder is damaged: files differ from SHA256SUMS (copy it again)"
  fi
  check_vulkan_driver
  choose_vulkan_loader

  BIN="$(unpack_binaries)"
  trap 'rm -rf "$BIN"' EXIT
  local node="$BIN/node"
  # the bundled webgpu package loads Dawn from here (scripts/pack-gpu-bench.ts); Dawn needs glibc 2.34+
  export GPU_BENCH_DAWN_NODE="$BIN/dawn.node"
  echo "node: $node $("$node" --version); dawn.node: $GPU_BENCH_DAWN_NODE"

  if command -v nvidia-smi >/dev/null 2>&1; then
    echo "nvidia-smi --query-gpu=name,clocks.max.sm --format=csv:"
    nvidia-smi --query-gpu=name,clocks.max.sm --format=csv 2>&1 | sed 's/^/  /' || echo "  (nvidia-smi failed)"
  else
    echo "nvidia-smi: not found"
  fi

  local probe=0
  "$node" "$HERE/probe.mjs" || probe=$?
  case "$probe" in
    0) ;;
    2) fail $EXIT_ENV "Dawn found no WebGPU adapter through the Vulkan driver(s) above: check that the driver loads (vulkaninfo --summary) and that /dev/nvidia* exist" ;;
    3)
      if [ -n "${GPU_BENCH_ALLOW_SOFTWARE:-}${GPU_BENCH_VK_ICD:-}" ]; then
        echo "gpu-bench: the adapter is a software one; running anyway (GPU_BENCH_ALLOW_SOFTWARE or GPU_BENCH_VK_ICD is set)"
      else
        fail $EXIT_SOFTWARE "Dawn's adapter is a software one (see above), not the GPU: name the GPU's manifest, e.g. GPU_BENCH_VK_ICD=/usr/share/vulkan/icd.d/nvidia_icd.json, or set GPU_BENCH_ALLOW_SOFTWARE=1"
      fi
      ;;
    *) fail 1 "probe.mjs failed (exit $probe)" ;;
  esac

  echo "gpu-bench: $node --experimental-wasm-relaxed-simd $HERE/bench.mjs $*"
  local started=$SECONDS
  "$node" --experimental-wasm-relaxed-simd "$HERE/bench.mjs" "$@" || fail 1 "the benchmark failed (exit $?)"
  echo "gpu-bench: done in $((SECONDS - started)) s; results in $HERE/bench-results.json, log in $LOG"
}

for arg in "$@"; do
  case "$arg" in -h | --help)
    usage
    exit 0
    ;;
  esac
done
touch "$LOG" 2>/dev/null || fail $EXIT_ENV "cannot write in $HERE (bench-results.json and gpu-bench.log go there): copy the folder somewhere writable"
# the exit status is main's (pipefail; tee does not fail)
main "$@" 2>&1 | tee "$LOG"
