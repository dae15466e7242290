#!/usr/bin/env bash
# Shared by scripts/demo, scripts/test and scripts/bench: the virtualenv and system packages.
# Globals in UPPERCASE are set here and read by the callers.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="${ROOT}/.venv"

find_python() {
  local candidate
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "${candidate}" >/dev/null 2>&1 &&
      "${candidate}" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "${candidate}"
      return 0
    fi
  done
  echo "Python 3.11 or newer is required" >&2
  return 1
}

# Create the virtualenv and install the project (with extras "$1"); skipped when up to date.
ensure_venv() {
  local extras="${1:-}" stamp spec python
  stamp="${VENV}/.installed-$(sha256sum "${ROOT}/pyproject.toml" | cut -c1-16)${extras:+-${extras}}"
  if [[ -f "${stamp}" ]]; then
    return 0
  fi
  python="$(find_python)"
  if [[ ! -x "${VENV}/bin/python" ]]; then
    echo "creating virtualenv in ${VENV}"
    "${python}" -m venv "${VENV}"
  fi
  spec="${ROOT}"
  [[ -n "${extras}" ]] && spec="${ROOT}[${extras}]"
  echo "installing Banditore${extras:+ with ${extras}} into ${VENV}"
  "${VENV}/bin/python" -m pip install --quiet --upgrade pip
  "${VENV}/bin/python" -m pip install --quiet -e "${spec}"
  rm -f "${VENV}"/.installed-*
  touch "${stamp}"
}

# Install Debian packages that are missing (as root, or through sudo when available).
ensure_debian_packages() {
  local missing=() pkg sudo=""
  for pkg in "$@"; do
    dpkg -s "${pkg}" >/dev/null 2>&1 || missing+=("${pkg}")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  if [[ "$(id -u)" -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo="sudo"
    else
      echo "missing packages ${missing[*]}: install them as root (apt-get install ${missing[*]})" >&2
      return 1
    fi
  fi
  echo "installing Debian packages: ${missing[*]}"
  ${sudo} apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive ${sudo} apt-get install -y -q "${missing[@]}" >/dev/null
}
