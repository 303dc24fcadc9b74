#!/usr/bin/env bash
# Installs the Debian packages NormScope needs that are missing; does nothing when all are there.
# Sourced by run.sh and test.sh. Usage: ns_install_deps [extra packages...]
ns_packages=(
  cmake ninja-build g++ ccache pkg-config
  qt6-base-dev libqt6opengl6-dev qt6-charts-dev qt6-svg-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools
  libeigen3-dev libtbb-dev nlohmann-json3-dev
)

ns_install_deps() {
  local wanted=("${ns_packages[@]}" "$@") missing=() p
  for p in "${wanted[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    return 0
  fi
  echo "==> Installing missing packages: ${missing[*]}"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo=(sudo)
    else
      echo "error: these packages are missing and I am not root (and there is no sudo): ${missing[*]}" >&2
      return 1
    fi
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq || return 1
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || return 1
}

# Build parallelism: all cores, but leave memory headroom on small machines.
ns_jobs() {
  nproc 2>/dev/null || echo 2
}
