#!/usr/bin/env bash
# The GPU check (see ../../shared/GPU.md for the machine): CUDA ops against the CPU on fresh
# random inputs, the sharded embedding collection with rows on the GPU against the unsharded
# host table, the meta-trainer on the GPU (Gloo and NCCL) against the CPU, a few
# meta-training steps on the GPU against the CPU, NCCL on one GPU, and a
# benchmark table (GEMM vs cuBLAS through PyTorch, gather / scatter vs device memcpy,
# meta-training samples/s vs the same step in PyTorch).
#
#   scripts/gpu-check.sh --prepare   here: bundle the check, pack node and the shared libraries
#                                    the addons need into .device/; prints what to carry
#   scripts/gpu-check.sh --dry-run   here: the CPU half of the check (no GPU, no PyTorch)
#   scripts/gpu-check.sh             on the GPU machine, from the repository root, carrying
#                                    .device and the build/Release folders of
#                                    gmeta-tensor, gmeta-collectives and gmeta-embedding;
#                                    logs go to $OUT
#   scripts/gpu-check.sh --graphs    on the GPU machine, the compiled meta-step part alone
#                                    (CUDA graph replay vs op-by-op vs eager vs CPU, a bad
#                                    index inside a graph, replay times; under a minute)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TENSOR_REL=packages/gmeta-tensor/build/Release
COLL_REL=packages/gmeta-collectives/build/Release
EMB_REL=packages/gmeta-embedding/build/Release
BUNDLE=$TENSOR_REL/gpu-check.mjs
export GMETA_COLLECTIVES_BUILD_DIR=$ROOT/$COLL_REL
export GMETA_EMBEDDING_BUILD_DIR=$ROOT/$EMB_REL

bundle() {
  npx tsup --config scripts/gpu-check/tsup.config.ts >/dev/null
}

case "${1:-}" in
  --prepare)
    [ -f "$TENSOR_REL/gmeta_tensor.node" ] || { echo "build first: npx turbo run build" >&2; exit 1; }
    bundle
    mkdir -p .device/lib
    grep -qxF ".device/" .git/info/exclude 2>/dev/null || echo ".device/" >> "$(git rev-parse --git-path info/exclude)"
    xz -T2 -6 -c "$(command -v node)" > .device/node.xz
    # Everything the addons and node link except the C library itself and the CUDA driver.
    libs=$(ldd "$(command -v node)" "$TENSOR_REL/gmeta_tensor.node" "$COLL_REL/gmeta_collectives.node" "$EMB_REL/gmeta_embedding.node" \
      | awk '/=> \// {print $3}' | sort -u \
      | grep -Ev '/(libc|libm|libdl|libpthread|librt|ld-linux[^/]*|libcuda)\.so')
    rm -f .device/lib/*
    for l in $libs; do cp -L "$l" .device/lib/; done
    tar -C .device -cJf .device/lib.tar.xz lib && rm -rf .device/lib
    du -sh .device "$TENSOR_REL" "$COLL_REL" "$EMB_REL"
    echo "carry: .device $TENSOR_REL $COLL_REL $EMB_REL"
    exit 0
    ;;
  --dry-run)
    bundle
    exec node "$BUNDLE" --dry-run
    ;;
esac

# On the GPU machine.
OUT=${OUT:-$ROOT/gpu-check-out}
mkdir -p "$OUT"
exec > >(tee "$OUT/gpu-check.log") 2>&1
WORK=$(mktemp -d)
xz -dc .device/node.xz > "$WORK/node" && chmod +x "$WORK/node"
tar -C "$WORK" -xJf .device/lib.tar.xz
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true

PY=${PYTHON:-python3}
site_lib() { "$PY" -c "import nvidia.$1, os; print(os.path.join(list(nvidia.$1.__path__)[0], 'lib'))" 2>/dev/null || true; }
export GMETA_CUBLAS_PATH=${GMETA_CUBLAS_PATH:-$(site_lib cublas)}
export GMETA_NCCL_PATH=${GMETA_NCCL_PATH:-$(site_lib nccl)}
[ -n "$GMETA_NCCL_PATH" ] || GMETA_NCCL_PATH=$(dirname "$(find / -name 'libnccl.so.2' -print -quit 2>/dev/null)" 2>/dev/null || true)
echo "GMETA_CUBLAS_PATH=$GMETA_CUBLAS_PATH"
echo "GMETA_NCCL_PATH=$GMETA_NCCL_PATH"

NODE_ENV_LIBS=$WORK/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
if [ "${1:-}" = "--graphs" ]; then
  LD_LIBRARY_PATH=$NODE_ENV_LIBS timeout 300 "$WORK/node" "$BUNDLE" --device cuda:0 --only graphs --out "$OUT"
  exit $?
fi

# The PyTorch peer first (its own libraries; our LD_LIBRARY_PATH is only for node).
SIZES=$(LD_LIBRARY_PATH=$WORK/lib "$WORK/node" "$BUNDLE" --sizes)
timeout 240 "$PY" packages/gmeta-tensor/bench/gpu-check/maml_torch.py "$SIZES" 4096 > "$OUT/torch.json" || echo "PyTorch peer failed; the table shows n/a"
cat "$OUT/torch.json" || true
TORCH_ARG=()
[ -s "$OUT/torch.json" ] && TORCH_ARG=(--torch "$OUT/torch.json")

LD_LIBRARY_PATH=$NODE_ENV_LIBS timeout 400 "$WORK/node" "$BUNDLE" --device cuda:0 "${TORCH_ARG[@]}" --out "$OUT"
