#!/bin/sh
# The Lua binding against the lab:
#   labrun -s healthy -s lame -s negative-cache -- sh embed_lua.sh MODULE_DIR
# (MODULE_DIR holds the built dnsvet.so).
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
LUA_CPATH="$1/?.so" exec lua5.4 "$root/bindings/lua/tests/test_lab.lua"
