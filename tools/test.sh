#!/usr/bin/env bash
# Builds docbus and runs the whole test suite (Catch2 through ctest).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j2
ctest --test-dir build --output-on-failure -j2 "$@"
