#!/bin/sh
# Generate the configure script and Makefile.in from the sources.
set -e
cd "$(dirname "$0")"
autoreconf --force --install
