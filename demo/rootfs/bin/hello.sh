#!/bin/sh
# A tiny script stored in the demo image.
name=${1:-world}
printf 'hello, %s, from cramfs\n' "$name"
