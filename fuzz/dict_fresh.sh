#!/bin/sh
# dict_fresh.sh -- make check test: fuzz/insights.dict matches what fuzz/gen_dict.sh writes
#
# The dictionary is generated from lexer/keywords.def and parser/functions.def; a keyword or
# function added without regenerating it fails here. Fix: fuzz/gen_dict.sh . > fuzz/insights.dict
#
# SPDX-License-Identifier: Apache-2.0
set -eu
top=${SRCDIR:-.}
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
sh "$top/fuzz/gen_dict.sh" "$top" > "$tmp"
if ! cmp -s "$tmp" "$top/fuzz/insights.dict"; then
    diff -u "$top/fuzz/insights.dict" "$tmp" || true
    echo "fuzz/insights.dict is stale: run fuzz/gen_dict.sh . > fuzz/insights.dict" >&2
    exit 1
fi
