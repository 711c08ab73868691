#!/usr/bin/env bash
# Installs the Debian packages tuskd needs to build and test. Idempotent and quiet when
# everything is present. As non-root with something missing: prints what and how, exits 1.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build g++ pkg-config
  libboost-dev libboost-program-options-dev librocksdb-dev libssl-dev libzstd-dev
  nlohmann-json3-dev libcurl4-openssl-dev libgtest-dev libgmock-dev libflac-dev
  nodejs npm curl
  openssl # the CLI: throwaway certificates for the TLS e2e test and benchmark
  clang-format-14 clang-tidy-14 python3 # the source checks: tools/check-*.sh, tools/tidy.sh
)

# Names provided by installed packages (e.g. NodeSource's nodejs provides npm and conflicts
# with Debian's npm package, so "npm" counts as present when an installed package provides it).
installed_provides() {
  dpkg-query -W -f='${db:Status-Abbrev}\t${Provides}\n' 2>/dev/null |
    awk -F'\t' '$1 ~ /^ii/ && $2 != "" { print $2 }' |
    tr ',' '\n' | sed -e 's/([^)]*)//g' -e 's/:any//g' -e 's/[[:space:]]//g' |
    grep -v '^$' | sort -u || true
}

is_installed() {
  local status
  status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null || true)
  [[ $status == ii* ]]
}

missing=()
provides=""
for pkg in "${PACKAGES[@]}"; do
  if is_installed "$pkg"; then
    continue
  fi
  if [[ -z $provides ]]; then
    provides=$(installed_provides)
  fi
  if grep -qxF -- "$pkg" <<<"$provides"; then
    continue
  fi
  missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

if ((EUID != 0)); then
  echo "bootstrap: missing Debian packages: ${missing[*]}" >&2
  echo "bootstrap: install them as root with:" >&2
  echo "  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${missing[*]}" >&2
  exit 1
fi

echo "bootstrap: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq -o=Dpkg::Use-Pty=0 --no-install-recommends "${missing[@]}"
