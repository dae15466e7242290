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

# --- Debian roots for the real-system test and scripts/try-arm64 --------------------------------

# The Debian mirror this host's apt uses (read at run time: no host name is written in the repo).
host_debian_mirror() {
  local uri
  uri="$(sed -n 's/^URIs: *\([^ ]*\/debian\)\/\{0,1\}$/\1/p' /etc/apt/sources.list.d/*.sources \
    2>/dev/null | head -n 1)"
  if [[ -z "${uri}" ]]; then
    uri="$(awk '$1 == "deb" && $2 ~ /\/debian\/?$/ {print $2; exit}' /etc/apt/sources.list \
      2>/dev/null)"
  fi
  [[ -n "${uri}" ]] || { echo "no Debian mirror found in this host's apt sources" >&2; return 1; }
  printf '%s' "${uri}"
}

# A debootstrapped Debian root (ARCH SUITE PACKAGE...) cached in CACHE, keyed by a hash of what
# it holds; built once (under a lock: parallel runs wait), then reused. Prints its path.
debian_root() {
  local cache="$1" arch="$2" suite="$3" key root mirror
  shift 3
  key="$(printf '%s\n' "${arch}" "${suite}" "$@" | sha256sum | cut -c1-12)"
  root="${cache}/debian-${suite}-${arch}-${key}"
  mkdir -p "${cache}"
  (
    flock 9
    [[ -f "${root}/.complete" ]] && exit 0
    rm -rf "${root}.partial"
    mirror="$(host_debian_mirror)"
    echo "debootstrap ${suite} ${arch} into ${root} (once; later runs reuse it)" >&2
    if [[ "${arch}" == "$(dpkg --print-architecture)" ]]; then
      debootstrap --variant=minbase --arch="${arch}" --include="$(IFS=,; printf '%s' "$*")" \
        "${suite}" "${root}.partial" "${mirror}" >&2
    else
      debootstrap --foreign --variant=minbase --arch="${arch}" \
        --include="$(IFS=,; printf '%s' "$*")" "${suite}" "${root}.partial" "${mirror}" >&2
      copy_emulator "${root}.partial" "${arch}"
      chroot "${root}.partial" /debootstrap/debootstrap --second-stage >&2
    fi
    touch "${root}.partial/.complete"
    mv -T "${root}.partial" "${root}"
  ) 9>"${root}.lock"
  printf '%s' "${root}"
}

# qemu-user-static where binfmt looks for it inside the root (registered without the F flag).
copy_emulator() {
  local root="$1" cpu
  case "$2" in arm64) cpu="aarch64" ;; armhf) cpu="arm" ;; *) cpu="$2" ;; esac
  mkdir -p "${root}/usr/bin" "${root}/usr/libexec/qemu-binfmt"
  cp "/usr/bin/qemu-${cpu}-static" "${root}/usr/bin/"
  ln -sf "../../bin/qemu-${cpu}-static" "${root}/usr/libexec/qemu-binfmt/${cpu}-binfmt-P"
}

# What a guest root needs to reach the registries this host uses: the host's extra certificate
# authorities and its pip settings (those naming the host's own disk are left out).
prepare_guest() {
  local root="$1"
  if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    mkdir -p "${root}/usr/local/share/ca-certificates"
    cp /usr/local/share/ca-certificates/*.crt "${root}/usr/local/share/ca-certificates/"
  fi
  guest_pip_config >"${root}/etc/pip.conf"
  cp /etc/resolv.conf "${root}/etc/resolv.conf" 2>/dev/null || true
}

guest_pip_config() {
  local python
  python="$(find_python)"
  printf '[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n'
  "${python}" -m pip config list 2>/dev/null | "${python}" -c '
import re, sys
found = {}
for line in sys.stdin:
    m = re.match(r"^(:env:|global)\.([a-z-]+)=(.*)$", line.strip())
    if not m:
        continue
    where, key, value = m.group(1), m.group(2), m.group(3).strip("\x27\"")
    if key == "cert" or value.startswith(("/", "file:")):
        continue
    if where == ":env:" or key not in found:
        found[key] = value
for key, value in sorted(found.items()):
    print(f"{key} = {value}")
'
}
