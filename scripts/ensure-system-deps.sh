#!/usr/bin/env bash
# Installs what the tests need from Debian when it is missing: chromium (the browser for the
# end-to-end tests, and SwiftShader's Vulkan driver for WebGPU in Node) and libvulkan1 (the Vulkan
# loader Dawn opens). Without root or apt it says exactly what to install instead.
set -euo pipefail

swiftshader=/usr/lib/chromium/vk_swiftshader_icd.json
missing=()
if [ -z "${CHROME_PATH:-}" ] && ! command -v chromium >/dev/null 2>&1; then missing+=(chromium); fi
if [ ! -f "$swiftshader" ] && [[ ! " ${missing[*]-} " =~ " chromium " ]]; then missing+=(chromium); fi
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1'; then missing+=(libvulkan1); fi

if [ ${#missing[@]} -eq 0 ]; then exit 0; fi

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${missing[*]} from Debian's packages (needed by the tests)…" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  exit 0
fi

cat >&2 <<MSG
The tests need these Debian packages, which are missing: ${missing[*]}
Install them (as root): apt-get update && apt-get install -y ${missing[*]}
Or, for the browser tests only, set CHROME_PATH to a Chromium with WebGPU.
MSG
exit 1
