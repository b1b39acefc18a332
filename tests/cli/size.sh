#!/bin/sh
# PLACEHOLDER: tests of `aifsim size` (being written).
exit 0
