#!/bin/bash
# Configure (once) and build the project in ./build.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
[ -x configure ] || ./autogen.sh >/dev/null
mkdir -p build
cd build
[ -f Makefile ] || ../configure -q ${NETMAP_CONFIGURE_FLAGS:-}
make -j"$(nproc)" -s
