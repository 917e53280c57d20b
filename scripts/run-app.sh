#!/usr/bin/env bash
# Sets up what is missing, then starts Takeback from source (a development build: it keeps its data
# apart from a real installation, under ~/.local/share/Takeback-dev or TAKEBACK_DATA_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
npm --prefix ui run build
cargo run -p takeback-app --features custom-protocol
