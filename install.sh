#!/usr/bin/env bash
# Banditore installer for Raspberry Pi OS and Debian (Bookworm or later).
#
#   sudo ./install.sh                        install (asks what it needs), or upgrade when installed
#   sudo ./install.sh --unattended FILE      install from an answers file (KEY=value lines) and/or
#                                            BANDITORE_* environment variables; never asks
#   sudo ./install.sh --uninstall [--purge]  remove the program; keeps config and data unless --purge
#   sudo ./install.sh --debug-report [FILE]  one file for support: versions, masked config, logs, health
#
# Re-running it is an upgrade: a backup first, config and data kept, the new version started (its
# migrations run at start) and, when it does not come up healthy, the previous version and the
# backup put back. --root DIR installs into DIR instead of / (the tests do that).
#
# Exit status: 0 done; 1 failed (the message says what runs now and what to do); 2 answers
# missing; 3 installed and running, but the tunnel did not start; 130 interrupted.
#
# Shaped like Pi-hole's basic-install.sh: small verb-named functions, every command that changes
# the host goes through run_host (so tests replace apt-get, useradd, systemctl... with mocks on
# PATH), and main runs only when the script is executed, not sourced.
set -euo pipefail
# Failures inside $(...) stop the script too; python -I everywhere: never the checkout's code.
shopt -s inherit_errexit

# Globals are UPPERCASE and set by set_defaults, parse_args and collect_answers; functions use
# lowercase locals.
set_defaults() {
  SOURCE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  ROOT=""
  ACTION="install"
  ANSWERS_FILE=""
  UNATTENDED="false"
  PURGE="false"
  REPORT_FILE=""
  WHEELS_DIR=""
  SERVICE_USER="banditore"
  HEALTH_TIMEOUT="${BANDITORE_HEALTH_TIMEOUT:-90}"
  MIN_FREE_MB=600
  SHOWN_KEY=""
  SHOWN_VERIFY_TOKEN=""
  UPGRADE_BACKUP=""
  START_EPOCH="0"
  DIED="false"
  # What a failure must undo (on_exit reads them): a half-built release, a first install that
  # never came up, or an upgrade to roll back.
  BUILDING=""
  FRESH_RELEASE=""
  ROLL_BACK_TO=""
  NEW_RELEASE=""
  TUNNEL_FAILED="false"
}

# Paths under --root; every path written into a file uses them, so a test root is self-contained.
set_paths() {
  INSTALL_DIR="${ROOT}/opt/banditore"
  CONFIG_DIR="${ROOT}/etc/banditore"
  CONFIG_FILE="${CONFIG_DIR}/banditore.toml"
  SECRETS_FILE="${CONFIG_DIR}/secrets.toml"
  KEY_FILE="${CONFIG_DIR}/backup.key"
  TOKEN_FILE="${CONFIG_DIR}/tunnel.token"
  DATA_DIR="${ROOT}/var/lib/banditore"
  UNIT_DIR="${ROOT}/etc/systemd/system"
  INSTALL_LOG="${ROOT}/var/log/banditore-install.log"
}

UNITS=(banditore.service banditore-backup.service banditore-backup.timer)
TUNNEL_UNIT="banditore-tunnel.service"
OS_PACKAGES=(python3 python3-venv python3-dev build-essential libffi-dev sqlite3 avahi-daemon
  ca-certificates curl)
REQUIRED_ANSWERS=(TOWN_NAME PHONE_NUMBER_ID BUSINESS_ACCOUNT_ID ACCESS_TOKEN APP_SECRET)
OPTIONAL_ANSWERS=(TOWN_KEYWORD VERIFY_TOKEN PUBLIC_URL TUNNEL_TOKEN BACKUP_COPY_TO GPIO ZEROCONF
  LAN_BIND PUBLIC_BIND)
SECRET_ANSWERS=" ACCESS_TOKEN APP_SECRET VERIFY_TOKEN TUNNEL_TOKEN "

usage() {
  sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

say() {
  printf '%s\n' "$*"
  if [[ -n "${INSTALL_LOG:-}" && -d "$(dirname "${INSTALL_LOG}")" ]]; then
    (umask 077 && printf '%s %s\n' "$(date -u +%FT%TZ)" "$*" >>"${INSTALL_LOG}")
  fi
}

# For what must be seen once and never stored: the setup code, the backup key, the verify token.
say_once() {
  printf '%s\n' "$*"
}

die() {
  say "ERROR: $*" >&2
  DIED="true"
  exit 1
}

abort() {
  say "interrupted" >&2
  exit 130
}

# However the script ends (set -e, a failed command, Ctrl-C), the box is left in a known state.
on_exit() {
  local status="$1"
  trap - EXIT
  trap '' INT TERM
  if [[ "${status}" -ne 0 ]]; then
    if [[ -n "${BUILDING}" ]]; then discard_build; fi
    if [[ -n "${FRESH_RELEASE}" ]]; then
      undo_fresh_install "the installation stopped before Banditore could start"
    fi
    if [[ -n "${ROLL_BACK_TO}" ]]; then roll_back; fi
  fi
  if [[ "${status}" -ne 0 && "${DIED}" != "true" ]]; then
    say "install.sh stopped (exit ${status}); details in ${INSTALL_LOG:-the output above}" >&2
  fi
  exit "${status}"
}

# Every command that changes the host outside --root passes here (tests put mocks on PATH).
run_host() {
  say "+ $*" >&2
  "$@"
}

run_as_service_user() {
  run_host runuser -u "${SERVICE_USER}" -- "$@"
}

set_owner() {
  run_host chown "$@"
}

is_command() {
  command -v "$1" >/dev/null 2>&1
}

parse_args() {
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --root) ROOT="${2:?--root needs a folder}"; shift ;;
      --unattended)
        UNATTENDED="true"
        if [[ $# -gt 1 && "$2" != --* ]]; then ANSWERS_FILE="$2"; shift; fi
        ;;
      --answers) ANSWERS_FILE="${2:?--answers needs a file}"; shift ;;
      --wheels) WHEELS_DIR="${2:?--wheels needs a folder}"; shift ;;
      --uninstall) ACTION="uninstall" ;;
      --purge) PURGE="true" ;;
      --debug-report)
        ACTION="debug-report"
        if [[ $# -gt 1 && "$2" != --* ]]; then REPORT_FILE="$2"; shift; fi
        ;;
      -h | --help) usage; exit 0 ;;
      *) die "unknown option $1 (see --help)" ;;
    esac
    shift
  done
  ROOT="${ROOT%/}"
  if [[ -n "${ROOT}" ]]; then
    mkdir -p "${ROOT}"
    ROOT="$(cd "${ROOT}" && pwd)"
  fi
}

# --- answers ---------------------------------------------------------------------------------

# Answers come from the file (KEY=value, # comments), then BANDITORE_* variables, then questions.
load_answers_file() {
  local line key value
  [[ -z "${ANSWERS_FILE}" ]] && return 0
  [[ -r "${ANSWERS_FILE}" ]] || die "answers file ${ANSWERS_FILE} cannot be read"
  while IFS= read -r line || [[ -n "${line}" ]]; do
    line="${line#"${line%%[![:space:]]*}"}"
    [[ -z "${line}" || "${line}" == \#* ]] && continue
    key="${line%%=*}"
    value="${line#*=}"
    key="${key%"${key##*[![:space:]]}"}"
    key="${key#BANDITORE_}"
    value="${value#"${value%%[![:space:]]*}"}"
    if [[ "${value}" == \"*\" || "${value}" == \'*\' ]]; then
      value="${value:1:${#value}-2}"
    fi
    is_known_answer "${key}" || die "answers file: unknown key ${key}"
    # Read, never sourced: the file holds secrets and must not run code.
    if [[ -z "$(answer "${key}")" ]]; then
      printf -v "ANSWER_${key}" '%s' "${value}"
    fi
  done <"${ANSWERS_FILE}"
}

is_known_answer() {
  [[ " ${REQUIRED_ANSWERS[*]} ${OPTIONAL_ANSWERS[*]} " == *" $1 "* ]]
}

answer() {
  local name="ANSWER_$1"
  printf '%s' "${!name:-}"
}

load_answers_env() {
  local key name
  for key in "${REQUIRED_ANSWERS[@]}" "${OPTIONAL_ANSWERS[@]}"; do
    name="BANDITORE_${key}"
    printf -v "ANSWER_${key}" '%s' "${!name:-}"
  done
}

can_ask() {
  [[ "${UNATTENDED}" != "true" && -t 0 ]]
}

ask() {
  local key="$1" question="$2" reply=""
  [[ -n "$(answer "${key}")" ]] && return 0
  if [[ "${SECRET_ANSWERS}" == *" ${key} "* ]]; then
    read -r -s -p "${question}: " reply </dev/tty
    printf '\n'
  else
    read -r -p "${question}: " reply </dev/tty
  fi
  printf -v "ANSWER_${key}" '%s' "${reply}"
}

ask_questions() {
  say "Banditore needs a few answers (Meta's ids and secrets are in the App Dashboard)."
  ask TOWN_NAME "Name of the comune (e.g. Rota d'Imagna)"
  ask TOWN_KEYWORD "Keyword that opens the menu (empty: first word of the name)"
  ask PHONE_NUMBER_ID "WhatsApp phone number id"
  ask BUSINESS_ACCOUNT_ID "WhatsApp Business Account id"
  ask ACCESS_TOKEN "Permanent system-user access token"
  ask APP_SECRET "App secret (App settings > Basic)"
  ask PUBLIC_URL "Public HTTPS address of the tunnel (empty: set it later)"
  ask TUNNEL_TOKEN "Cloudflare named-tunnel token (empty: no tunnel now)"
}

missing_answers() {
  local key
  for key in "${REQUIRED_ANSWERS[@]}"; do
    [[ -z "$(answer "${key}")" ]] && printf 'BANDITORE_%s\n' "${key}"
  done
  return 0
}

# Without a terminal nothing can be asked: stop at once and list everything that is missing.
collect_answers() {
  local missing
  load_answers_env
  load_answers_file
  if can_ask; then
    ask_questions
  fi
  missing="$(missing_answers)"
  if [[ -n "${missing}" ]]; then
    say "Missing answers (no terminal to ask them; nothing was changed):" >&2
    printf '  %s\n' "${missing//$'\n'/$'\n'  }" >&2
    say "Put them in an answers file (--unattended FILE) or in the environment." >&2
    DIED="true"
    exit 2
  fi
  check_answers
}

check_answers() {
  local key value
  for key in "${REQUIRED_ANSWERS[@]}" "${OPTIONAL_ANSWERS[@]}"; do
    value="$(answer "${key}")"
    if [[ "${value}" == *$'\n'* || "${value}" == *$'\r'* ]]; then
      die "BANDITORE_${key}: one line only"
    fi
  done
  refuse_quick_tunnel
  value="$(answer PUBLIC_URL)"
  if [[ -n "${value}" && "${value}" != https://* ]]; then
    die "BANDITORE_PUBLIC_URL must start with https:// (Meta calls only HTTPS webhooks)"
  fi
  value="$(answer TUNNEL_TOKEN)"
  if [[ -n "${value}" ]] && ! is_tunnel_token "${value}"; then
    die "BANDITORE_TUNNEL_TOKEN is not a Cloudflare tunnel token (copy it from the tunnel's" \
      "install command, the long string starting with eyJ)"
  fi
  return 0
}

# A quick tunnel's address changes at every restart and Meta's webhooks would silently stop.
refuse_quick_tunnel() {
  local token url
  token="$(answer TUNNEL_TOKEN)"
  url="$(answer PUBLIC_URL)"
  if [[ "${token,,}" == quick* || "${url}" == *trycloudflare.com* ]]; then
    die "quick tunnels are refused: their address changes at every restart and Meta's" \
      "webhooks would stop. Create a named tunnel (README: Tunnel) or use Tailscale Funnel."
  fi
}

# A tunnel token is base64 JSON naming the account (a), the tunnel (t) and its secret (s).
is_tunnel_token() {
  local decoded
  decoded="$(printf '%s' "$1" | base64 -d 2>/dev/null || true)"
  [[ "${decoded}" == *'"a"'* && "${decoded}" == *'"t"'* && "${decoded}" == *'"s"'* ]]
}

# --- pre-checks ------------------------------------------------------------------------------

run_prechecks() {
  check_root
  check_os
  check_architecture
  PYTHON="$(find_python)"
  check_disk
}

check_root() {
  if [[ -z "${ROOT}" && "${EUID}" -ne 0 ]]; then
    die "run it as root: sudo $0"
  fi
}

check_os() {
  local id="" version_id="" id_like=""
  # shellcheck disable=SC1091
  [[ -r /etc/os-release ]] && . /etc/os-release
  id="${ID:-}"
  version_id="${VERSION_ID:-0}"
  id_like="${ID_LIKE:-}"
  if [[ "${id}" != "debian" && "${id}" != "raspbian" && "${id_like}" != *debian* ]]; then
    die "this installer supports Raspberry Pi OS and Debian; found ${PRETTY_NAME:-an unknown OS}"
  fi
  if [[ "${id}" == "debian" || "${id}" == "raspbian" ]] && ((${version_id%%.*} < 12)); then
    die "Debian/Raspberry Pi OS 12 (Bookworm) or later is needed; found ${PRETTY_NAME:-${version_id}}"
  fi
}

check_architecture() {
  local arch
  arch="$(uname -m)"
  case "${arch}" in
    aarch64 | armv7l | x86_64) ;;
    *) die "unsupported architecture ${arch}: use a Raspberry Pi 3, 4 or 5 (64-bit OS preferred)" ;;
  esac
}

find_python() {
  local candidate
  if [[ -n "${BANDITORE_PYTHON:-}" ]]; then
    printf '%s' "${BANDITORE_PYTHON}"
    return 0
  fi
  for candidate in python3.13 python3.12 python3.11 python3; do
    if is_command "${candidate}" &&
      "${candidate}" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      command -v "${candidate}"
      return 0
    fi
  done
  die "Python 3.11 or newer is needed (Bookworm has 3.11): apt-get install python3"
}

check_disk() {
  local free_mb target="${ROOT:-/}"
  free_mb="$(df -Pm "${target}" | awk 'NR == 2 {print $4}')"
  if ((free_mb < MIN_FREE_MB)); then
    die "only ${free_mb} MB free on ${target}; ${MIN_FREE_MB} MB are needed"
  fi
}

# Before a first install nothing of ours listens: a busy port belongs to another program.
check_ports() {
  local bind port
  for bind in "$(lan_bind)" "$(public_bind)"; do
    port="${bind##*:}"
    if (exec 3<>"/dev/tcp/127.0.0.1/${port}") 2>/dev/null; then
      die "port ${port} is already used by another program (${bind}); stop it or set" \
        "BANDITORE_LAN_BIND / BANDITORE_PUBLIC_BIND to a free port"
    fi
  done
}

lan_bind() {
  local value
  value="$(answer LAN_BIND)"
  printf '%s' "${value:-[::]:8080}"
}

public_bind() {
  local value
  value="$(answer PUBLIC_BIND)"
  printf '%s' "${value:-127.0.0.1:8081}"
}

# --- host changes ----------------------------------------------------------------------------

install_os_packages() {
  local extra=()
  # Raspberry Pi OS ships lgpio for Python; the venv sees it through --system-site-packages.
  if apt-cache show python3-lgpio >/dev/null 2>&1; then
    extra+=(python3-lgpio)
  fi
  run_host env DEBIAN_FRONTEND=noninteractive apt-get update -q
  run_host env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${OS_PACKAGES[@]}" "${extra[@]}"
}

create_service_user() {
  if ! getent group gpio >/dev/null 2>&1; then
    run_host groupadd --system gpio
  fi
  if id -u "${SERVICE_USER}" >/dev/null 2>&1; then
    run_host usermod --append --groups gpio "${SERVICE_USER}"
  else
    run_host useradd --system --user-group --groups gpio --home-dir /var/lib/banditore \
      --no-create-home --shell /usr/sbin/nologin "${SERVICE_USER}"
  fi
}

create_directories() {
  mkdir -p "${INSTALL_DIR}/releases" "${UNIT_DIR}" "$(dirname "${INSTALL_LOG}")"
  install -d -m 0750 "${CONFIG_DIR}" "${DATA_DIR}"
  set_owner "root:${SERVICE_USER}" "${CONFIG_DIR}"
  set_owner "${SERVICE_USER}:${SERVICE_USER}" "${DATA_DIR}"
}

source_version() {
  sed -n 's/^version = "\(.*\)"$/\1/p' "${SOURCE_DIR}/pyproject.toml" | head -n 1
}

new_release_path() {
  printf '%s/releases/%s-%s' "${INSTALL_DIR}" "$(source_version)" "$(date -u +%Y%m%dT%H%M%SZ)"
}

# A new virtualenv per release: the previous one stays intact for a roll-back. While it is built
# BUILDING names it, so a failure (a full disk, no network) removes the half-built folder.
build_release() {
  local release="$1" pip_args=()
  BUILDING="${release}"
  say "building ${release}" >&2
  mkdir -p "${release}"
  "${PYTHON}" -m venv --system-site-packages "${release}/venv"
  if [[ -n "${WHEELS_DIR}" ]]; then
    pip_args=(--no-index --find-links "${WHEELS_DIR}" "banditore==$(source_version)")
  else
    "${release}/venv/bin/python" -m pip install --quiet --upgrade pip >&2
    pip_args=("${SOURCE_DIR}")
  fi
  "${release}/venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    "${pip_args[@]}" >&2
  cp -R "${SOURCE_DIR}/systemd" "${release}/systemd"
  if [[ -f "${SOURCE_DIR}/README.md" ]]; then cp "${SOURCE_DIR}/README.md" "${release}/"; fi
  BUILDING=""
}

discard_build() {
  local release="${BUILDING}" free_mb
  BUILDING=""
  rm -rf "${release}"
  free_mb="$(df -Pm "${INSTALL_DIR}" 2>/dev/null | awk 'NR == 2 {print $4}' || true)"
  say "the new release could not be built (the reason is above; ${free_mb:-?} MB are free on" \
    "$(dirname "${release}")); its half-built folder is removed." >&2
  if [[ -L "${INSTALL_DIR}/current" && -z "${FRESH_RELEASE}" ]]; then
    say "Nothing else was changed: $(basename "$(readlink -f "${INSTALL_DIR}/current")") keeps" \
      "running. Free some space or fix the network, then run install.sh again." >&2
  else
    say "Nothing is installed yet. Fix the cause, then run install.sh again." >&2
  fi
}

# Swap the "current" link atomically; the one it replaced becomes "previous".
switch_release() {
  local release="$1" old=""
  if [[ -L "${INSTALL_DIR}/current" ]]; then
    old="$(readlink -f "${INSTALL_DIR}/current")"
  fi
  ln -sfn "${release}" "${INSTALL_DIR}/current.new"
  mv -Tf "${INSTALL_DIR}/current.new" "${INSTALL_DIR}/current"
  if [[ -n "${old}" && "${old}" != "${release}" ]]; then
    ln -sfn "${old}" "${INSTALL_DIR}/previous.new"
    mv -Tf "${INSTALL_DIR}/previous.new" "${INSTALL_DIR}/previous"
  fi
}

prune_releases() {
  local keep=() release
  keep+=("$(readlink -f "${INSTALL_DIR}/current")")
  if [[ -L "${INSTALL_DIR}/previous" ]]; then keep+=("$(readlink -f "${INSTALL_DIR}/previous")"); fi
  for release in "${INSTALL_DIR}"/releases/*; do
    [[ " ${keep[*]} " == *" ${release} "* ]] || rm -rf "${release}"
  done
}

toml_string() {
  local value="$1"
  value="${value//\\/\\\\}"
  value="${value//\"/\\\"}"
  printf '"%s"' "${value}"
}

is_raspberry_pi() {
  grep -qi raspberry /proc/device-tree/model 2>/dev/null
}

yes_no() {
  case "${1,,}" in
    y | yes | s | si | true | 1) printf 'true' ;;
    n | no | false | 0) printf 'false' ;;
    *) printf '%s' "$2" ;;
  esac
}

write_config() {
  local gpio_default="false" copy_to
  if is_raspberry_pi; then gpio_default="true"; fi
  copy_to="$(answer BACKUP_COPY_TO)"
  umask 027
  {
    printf '# Banditore configuration, written by install.sh on %s.\n' "$(date -u +%F)"
    printf '# Secrets live in secrets.toml (mode 0600); every key: appliance --help and README.\n'
    printf 'secrets_file = %s\n\n' "$(toml_string "${SECRETS_FILE}")"
    printf '[town]\nname = %s\n' "$(toml_string "$(answer TOWN_NAME)")"
    printf 'keyword = %s\n\n' "$(toml_string "$(answer TOWN_KEYWORD)")"
    printf '[whatsapp]\nphone_number_id = %s\n' "$(toml_string "$(answer PHONE_NUMBER_ID)")"
    printf 'business_account_id = %s\n' "$(toml_string "$(answer BUSINESS_ACCOUNT_ID)")"
    printf '\n[server]\nlan_bind = %s\n' "$(toml_string "$(lan_bind)")"
    printf 'public_bind = %s\n' "$(toml_string "$(public_bind)")"
    printf 'public_url = %s\n\n' "$(toml_string "$(answer PUBLIC_URL)")"
    printf '[database]\npath = %s\n\n' "$(toml_string "${DATA_DIR}/banditore.db")"
    printf '[gpio]\nenabled = %s\n\n' "$(yes_no "$(answer GPIO)" "${gpio_default}")"
    printf '[zeroconf]\nenabled = %s\n\n' "$(yes_no "$(answer ZEROCONF)" true)"
    printf '[backup]\ndir = %s\n' "$(toml_string "${DATA_DIR}/backups")"
    printf 'key_file = %s\n' "$(toml_string "${KEY_FILE}")"
    printf 'copy_to = %s\n' "$(toml_string "${copy_to}")"
  } >"${CONFIG_FILE}"
  chmod 0640 "${CONFIG_FILE}"
  set_owner "root:${SERVICE_USER}" "${CONFIG_FILE}"
}

random_text() {
  "${PYTHON}" -c 'import secrets; print(secrets.token_urlsafe(32))'
}

write_secrets() {
  local verify_token
  verify_token="$(answer VERIFY_TOKEN)"
  if [[ -z "${verify_token}" ]]; then
    verify_token="$(random_text)"
  fi
  SHOWN_VERIFY_TOKEN="${verify_token}"
  umask 077
  {
    printf '# Banditore secrets (mode 0600, owner %s). Never share this file.\n' "${SERVICE_USER}"
    printf '[whatsapp]\naccess_token = %s\n' "$(toml_string "$(answer ACCESS_TOKEN)")"
    printf 'app_secret = %s\n' "$(toml_string "$(answer APP_SECRET)")"
    printf 'verify_token = %s\n\n' "$(toml_string "${verify_token}")"
    printf '[server]\nsecret_key = %s\n' "$(toml_string "$(random_text)")"
  } >"${SECRETS_FILE}"
  chmod 0600 "${SECRETS_FILE}"
  set_owner "${SERVICE_USER}:${SERVICE_USER}" "${SECRETS_FILE}"
  umask 022
}

# The key is printed once at the end: without it no backup can ever be restored.
create_backup_key() {
  local output
  [[ -f "${KEY_FILE}" ]] && return 0
  output="$("${INSTALL_DIR}/current/venv/bin/appliance" backup --init-key --config "${CONFIG_FILE}")"
  SHOWN_KEY="$(printf '%s\n' "${output}" | sed -n 's/^  \(.*\)$/\1/p' | tail -n 1)"
  chmod 0600 "${KEY_FILE}"
  set_owner "${SERVICE_USER}:${SERVICE_USER}" "${KEY_FILE}"
}

# Unit files name /opt, /etc and /var/lib paths; under --root they point into the root.
install_unit_file() {
  local source="$1" target="$2" cloudflared
  cloudflared="$(command -v cloudflared || printf '/usr/bin/cloudflared')"
  sed -e "s#/opt/banditore#${INSTALL_DIR}#g" \
    -e "s#/etc/banditore#${CONFIG_DIR}#g" \
    -e "s#/var/lib/banditore#${DATA_DIR}#g" \
    -e "s#/usr/bin/cloudflared#${cloudflared}#g" \
    "${source}" >"${target}.tmp"
  chmod 0644 "${target}.tmp"
  mv -f "${target}.tmp" "${target}"
}

install_units() {
  local release="$1" unit
  for unit in "${UNITS[@]}"; do
    install_unit_file "${release}/systemd/${unit}" "${UNIT_DIR}/${unit}"
  done
  if [[ -f "${TOKEN_FILE}" ]]; then
    install_unit_file "${release}/systemd/${TUNNEL_UNIT}" "${UNIT_DIR}/${TUNNEL_UNIT}"
    write_tunnel_config "${release}"
  fi
  run_host systemctl daemon-reload
}

save_units() {
  local target="$1" unit
  mkdir -p "${target}"
  for unit in "${UNITS[@]}" "${TUNNEL_UNIT}"; do
    if [[ -f "${UNIT_DIR}/${unit}" ]]; then cp -p "${UNIT_DIR}/${unit}" "${target}/"; fi
  done
}

# --- tunnel ----------------------------------------------------------------------------------

setup_tunnel() {
  local token
  token="$(answer TUNNEL_TOKEN)"
  [[ -z "${token}" ]] && return 0
  install_cloudflared
  umask 077
  printf '%s\n' "${token}" >"${TOKEN_FILE}"
  umask 022
  chmod 0600 "${TOKEN_FILE}"
  set_owner root:root "${TOKEN_FILE}"
}

# cloudflared comes from Cloudflare's own repository: Debian's package is not maintained.
install_cloudflared() {
  local keyring="${ROOT}/usr/share/keyrings/cloudflare-main.gpg"
  local list="${ROOT}/etc/apt/sources.list.d/cloudflared.list"
  is_command cloudflared && return 0
  mkdir -p "$(dirname "${keyring}")" "$(dirname "${list}")"
  run_host curl -fsSL --output "${keyring}" https://pkg.cloudflare.com/cloudflare-main.gpg
  printf 'deb [signed-by=%s] https://pkg.cloudflare.com/cloudflared any main\n' \
    "/usr/share/keyrings/cloudflare-main.gpg" >"${list}"
  run_host env DEBIAN_FRONTEND=noninteractive apt-get update -q
  run_host env DEBIAN_FRONTEND=noninteractive apt-get install -y -q cloudflared
}

write_tunnel_config() {
  local release="$1" port
  port="$(public_port)"
  sed "s#http://127.0.0.1:8081#http://127.0.0.1:${port}#" "${release}/systemd/cloudflared.yml" \
    >"${CONFIG_DIR}/cloudflared.yml"
  chmod 0644 "${CONFIG_DIR}/cloudflared.yml"
}

public_port() {
  config_value server public_bind | sed 's/.*://'
}

# --- running and health ----------------------------------------------------------------------

config_value() {
  "${INSTALL_DIR}/current/venv/bin/python" -I - "${CONFIG_FILE}" "$1" "$2" <<'PY'
import sys
from appliance.core.config import load_config
print(load_config(sys.argv[1]).values[sys.argv[2]][sys.argv[3]])
PY
}

health_url() {
  local bind host port
  bind="$(config_value server public_bind)"
  port="${bind##*:}"
  host="${bind%:*}"
  case "${host}" in
    0.0.0.0 | "") host="127.0.0.1" ;;
    "[::]") host="[::1]" ;;
  esac
  printf 'http://%s:%s/healthz' "${host}" "${port}"
}

probe_health() {
  "${INSTALL_DIR}/current/venv/bin/python" -I - "$1" <<'PY'
import sys
import urllib.request
try:
    with urllib.request.urlopen(sys.argv[1], timeout=3) as response:
        sys.exit(0 if response.read() == b"ok" else 1)
except OSError:
    sys.exit(1)
PY
}

# Healthy = systemd says active (for Type=notify: READY sent) and the public listener answers
# /healthz. A version that crashed even once since it was started is not healthy: no waiting for
# systemd's restart limit.
wait_until_healthy() {
  local url deadline
  url="$(health_url)"
  deadline=$((SECONDS + HEALTH_TIMEOUT))
  while ((SECONDS < deadline)); do
    if systemctl is-active --quiet banditore.service && probe_health "${url}"; then
      return 0
    fi
    if systemctl is-failed --quiet banditore.service || (($(restarts) > 0)); then
      return 1
    fi
    sleep 1
  done
  return 1
}

restarts() {
  local count
  count="$(systemctl show -p NRestarts --value banditore.service 2>/dev/null || true)"
  [[ "${count}" =~ ^[0-9]+$ ]] || count=0
  printf '%s' "${count}"
}

# Whether the start worked is judged by wait_until_healthy (which also shows the log): a real
# systemctl answers non-zero for a Type=notify unit that fails to start, and that must not end
# the script before the roll-back.
start_services() {
  START_EPOCH="$(date +%s)"
  run_host systemctl enable banditore.service banditore-backup.timer
  run_host systemctl start banditore-backup.timer
  run_host systemctl reset-failed banditore.service 2>/dev/null || true
  run_host systemctl restart --no-block banditore.service ||
    say "systemctl could not start banditore.service (the log follows)" >&2
}

# The tunnel is separate from the app: when it does not start, Banditore keeps running on the LAN
# and the summary says so (exit 3); systemd keeps retrying it.
start_tunnel() {
  [[ -f "${TOKEN_FILE}" ]] || return 0
  run_host systemctl enable "${TUNNEL_UNIT}"
  if ! run_host systemctl restart "${TUNNEL_UNIT}"; then
    TUNNEL_FAILED="true"
  fi
}

# The failed version is stopped first, so its own error is not pushed out by further restarts.
show_recent_log() {
  run_host systemctl stop banditore.service 2>/dev/null || true
  say "last lines of the service log since the start:"
  journalctl -u banditore.service --since "@${START_EPOCH}" -n 60 --no-pager 2>/dev/null |
    mask_report || true
}

# --- install, upgrade, roll-back ---------------------------------------------------------------

fresh_install() {
  local release
  collect_answers
  run_prechecks
  check_ports
  say "installing Banditore $(source_version)"
  install_os_packages
  create_service_user
  create_directories
  release="$(new_release_path)"
  FRESH_RELEASE="${release}"
  build_release "${release}"
  switch_release "${release}"
  write_config
  write_secrets
  create_backup_key
  setup_tunnel
  install_units "${release}"
  start_services
  if ! wait_until_healthy; then
    show_recent_log
    undo_fresh_install "Banditore did not come up healthy (within ${HEALTH_TIMEOUT} s)"
  fi
  FRESH_RELEASE=""
  start_tunnel
  show_summary
  finish
}

# A first install that never came up: nothing left running or enabled at boot, no release; the
# config stays for reference and the next run asks (or reads) the answers again.
undo_fresh_install() {
  local what="$1" release="${FRESH_RELEASE}"
  FRESH_RELEASE=""
  run_host systemctl disable --now banditore.service banditore-backup.timer 2>/dev/null || true
  run_host systemctl reset-failed banditore.service 2>/dev/null || true
  rm -f "${INSTALL_DIR}/current"
  rm -rf "${release}"
  # A key made by this run was never shown: the next run makes and shows a new one.
  if [[ -n "${SHOWN_KEY}" ]]; then rm -f "${KEY_FILE}"; fi
  die "${what}. It is stopped and not started at boot; nothing else runs. Fix the cause" \
    "shown above, then run install.sh again."
}

upgrade() {
  local release old
  run_prechecks
  say "upgrading Banditore to $(source_version); config and data are kept"
  # Answers given now only add what is new (a tunnel token); the config file is never rewritten.
  load_answers_env
  load_answers_file
  refuse_quick_tunnel
  install_os_packages
  create_service_user
  create_directories
  if [[ ! -f "${TOKEN_FILE}" ]]; then setup_tunnel; fi
  backup_before_upgrade
  old="$(readlink -f "${INSTALL_DIR}/current")"
  release="$(new_release_path)"
  build_release "${release}"
  save_units "${old}/units-installed"
  # From here on any failure puts the previous release back (on_exit calls roll_back).
  ROLL_BACK_TO="${old}"
  NEW_RELEASE="${release}"
  run_host systemctl stop banditore.service
  switch_release "${release}"
  install_units "${release}"
  start_services
  if ! wait_until_healthy; then
    show_recent_log
    roll_back
  fi
  ROLL_BACK_TO=""
  start_tunnel
  prune_releases
  show_summary
  finish
}

backup_before_upgrade() {
  local output status=0
  [[ -f "${DATA_DIR}/banditore.db" ]] || return 0
  say "backup before the upgrade"
  output="$(run_as_service_user "${INSTALL_DIR}/current/venv/bin/appliance" backup \
    --reason upgrade --config "${CONFIG_FILE}")" || status=$?
  printf '%s\n' "${output}"
  # 3 = written here but not copied off the device: enough to roll back with.
  if [[ "${status}" -ne 0 && "${status}" -ne 3 ]]; then
    die "no backup, no upgrade: the backup failed (see above); nothing was changed"
  fi
  UPGRADE_BACKUP="$(printf '%s\n' "${output}" | sed -n 's/^backup written: \(.*\) (.*$/\1/p')"
}

# The new version is unhealthy (or a step after the switch failed): put back the previous
# program, units and database, start it, and stop with a message. Every step is tried even when
# one fails, so the box ends up as close to the last good state as it can be.
roll_back() {
  local old="${ROLL_BACK_TO}" failed="${NEW_RELEASE}" data="the data of the backup"
  ROLL_BACK_TO=""
  say "the new version is not healthy: rolling back to $(basename "${old}")" >&2
  run_host systemctl stop banditore.service || true
  switch_release "${old}"
  if [[ -d "${old}/units-installed" ]]; then
    cp -p "${old}/units-installed/"* "${UNIT_DIR}/" || say "the previous unit files could not be put back" >&2
  fi
  run_host systemctl daemon-reload || true
  if [[ -z "${UPGRADE_BACKUP}" ]]; then
    data="its database as the new version left it (there was no database to back up)"
  elif ! run_as_service_user "${old}/venv/bin/appliance" restore --yes "${UPGRADE_BACKUP}" \
    --config "${CONFIG_FILE}"; then
    data="the database as the new version left it: the backup ${UPGRADE_BACKUP} could not be put back"
  fi
  rm -f "${INSTALL_DIR}/previous"
  run_host systemctl reset-failed banditore.service || true
  run_host systemctl start --no-block banditore.service || true
  if wait_until_healthy; then
    rm -rf "${failed}"
    die "the upgrade to $(basename "${failed}") failed and was rolled back: $(basename "${old}")" \
      "runs again with ${data} (${UPGRADE_BACKUP:-no backup}). Why the new version failed is in" \
      "the log above and in journalctl -u banditore; report it before trying again."
  fi
  die "the roll-back to $(basename "${old}") did not come up healthy either: run" \
    "install.sh --debug-report and send the file to support"
}

# The summary was shown; a tunnel that did not start is the one thing left to fix.
finish() {
  if [[ "${TUNNEL_FAILED}" == "true" ]]; then
    say "" >&2
    say "WARNING: the tunnel (${TUNNEL_UNIT}) did not start, so Meta's webhooks cannot arrive." >&2
    say "Banditore itself runs on the LAN. Check the token and the network with" >&2
    say "journalctl -u ${TUNNEL_UNIT}; systemd keeps retrying it every few seconds." >&2
    DIED="true"
    exit 3
  fi
}

is_installed() {
  [[ -f "${CONFIG_FILE}" && -L "${INSTALL_DIR}/current" ]]
}

lan_addresses() {
  local bind host port ip
  bind="$(config_value server lan_bind)"
  port="${bind##*:}"
  host="${bind%:*}"
  if [[ "${host}" != "[::]" && "${host}" != "0.0.0.0" ]]; then
    printf 'http://%s:%s' "${host}" "${port}"
    return 0
  fi
  ip="$(hostname -I 2>/dev/null | awk '{print $1}' || true)"
  if [[ -z "${ip}" ]]; then ip="ADDRESS"; fi
  printf 'http://%s:%s  or  http://%s.local:%s' "${ip}" "${port}" "$(hostname -s)" "${port}"
}

# While no admin exists, a fresh one-time code for /setup: shown here only, never logged.
setup_code() {
  run_as_service_user "${INSTALL_DIR}/current/venv/bin/appliance" setup-code \
    --config "${CONFIG_FILE}" 2>/dev/null | sed -n 's/^  \([A-Z0-9-]*\)$/\1/p' | tail -n 1
}

show_summary() {
  local code public_url
  code="$(setup_code || true)"
  public_url="$(config_value server public_url)"
  say ""
  say "Banditore $(source_version) is running."
  say "  Admin page:   $(lan_addresses)"
  if [[ -n "${code}" ]]; then
    say "  First admin:  open the admin page, then /setup, and enter the one-time setup code"
    say_once "                ${code}   (valid 24 hours, never written to any log)"
    say "                a new one: sudo ${INSTALL_DIR}/current/venv/bin/appliance setup-code --config ${CONFIG_FILE}"
  fi
  if [[ -n "${public_url}" ]]; then
    say "  Webhook URL for Meta: ${public_url%/}/webhook"
  else
    say "  Webhook: set [server] public_url in ${CONFIG_FILE} once the tunnel has an address"
  fi
  if [[ -n "${SHOWN_VERIFY_TOKEN}" ]]; then
    say_once "  Verify token for Meta's webhook page: ${SHOWN_VERIFY_TOKEN}"
  fi
  if [[ -n "${SHOWN_KEY}" ]]; then
    say "  BACKUP KEY (shown only now; write it down and keep it away from this box):"
    say_once "                ${SHOWN_KEY}"
  fi
  say "  Check everything: sudo -u ${SERVICE_USER} ${INSTALL_DIR}/current/venv/bin/appliance check --config ${CONFIG_FILE}"
  say "  Installation log: ${INSTALL_LOG}"
}

# --- uninstall and debug report ----------------------------------------------------------------

uninstall() {
  local unit
  check_root
  for unit in "${TUNNEL_UNIT}" banditore-backup.timer "${UNITS[@]}"; do
    if [[ -f "${UNIT_DIR}/${unit}" ]]; then
      run_host systemctl disable --now "${unit}" || true
      rm -f "${UNIT_DIR}/${unit}"
    fi
  done
  run_host systemctl daemon-reload
  rm -rf "${INSTALL_DIR}"
  if [[ "${PURGE}" == "true" ]]; then
    rm -rf "${CONFIG_DIR}" "${DATA_DIR}"
    if id -u "${SERVICE_USER}" >/dev/null 2>&1; then run_host userdel "${SERVICE_USER}"; fi
    say "Banditore removed with its configuration, data and backups."
  else
    say "Banditore removed. Kept: ${CONFIG_DIR} (configuration, backup key) and ${DATA_DIR}"
    say "(database and backups). Remove them too with: install.sh --uninstall --purge"
  fi
}

# Secret values from the secrets and token files, the backup key and any setup code are masked.
mask_report() {
  local text value
  text="$(cat)"
  while IFS= read -r value; do
    text="${text//"${value}"/***}"
  done < <(secret_values)
  printf '%s\n' "${text}" |
    sed -E 's/(setup code )[A-Z0-9-]+/\1***/g; s/\b[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}\b/***/g'
}

secret_values() {
  local file
  for file in "${SECRETS_FILE}" "${KEY_FILE}" "${TOKEN_FILE}"; do
    [[ -r "${file}" ]] || continue
    sed -n -e 's/^[a-z_]* *= *"\(.*\)"$/\1/p' -e '/^[A-Za-z0-9_=+\/.-]\{16,\}$/p' "${file}"
  done | awk 'length($0) >= 4'
}

report_section() {
  printf '\n===== %s =====\n' "$1"
  shift
  "$@" 2>&1 || printf '(failed: %s)\n' "$*"
}

show_secrets_masked() {
  [[ -r "${SECRETS_FILE}" ]] || return 0
  sed -E 's/^([a-z_]+ *= *).*/\1"***"/' "${SECRETS_FILE}"
}

show_backups() {
  ls -l "${DATA_DIR}/backups" 2>/dev/null || printf 'no backup folder\n'
  cat "${DATA_DIR}/backups/status.json" 2>/dev/null || true
}

show_health() {
  local unit
  for unit in "${UNITS[@]}" "${TUNNEL_UNIT}"; do
    printf '%s: %s\n' "${unit}" "$(systemctl is-active "${unit}" 2>/dev/null || true)"
  done
  if [[ -x "${INSTALL_DIR}/current/venv/bin/python" && -f "${CONFIG_FILE}" ]]; then
    if probe_health "$(health_url)"; then printf 'healthz: ok\n'; else printf 'healthz: no answer\n'; fi
  fi
  df -h "${DATA_DIR}" 2>/dev/null || true
}

write_debug_report() {
  local target
  target="${REPORT_FILE:-${ROOT}/tmp/banditore-debug-$(date -u +%Y%m%dT%H%M%SZ).txt}"
  mkdir -p "$(dirname "${target}")"
  {
    printf 'Banditore debug report, %s\n' "$(date -u +%FT%TZ)"
    report_section "system" uname -a
    report_section "os" cat /etc/os-release
    report_section "banditore" "${INSTALL_DIR}/current/venv/bin/appliance" --version
    report_section "release" readlink -f "${INSTALL_DIR}/current"
    report_section "python packages" "${INSTALL_DIR}/current/venv/bin/python" -m pip freeze
    report_section "config" cat "${CONFIG_FILE}"
    report_section "secrets (values masked)" show_secrets_masked
    report_section "health" show_health
    report_section "backups" show_backups
    report_section "service log" journalctl -u banditore.service -n 300 --no-pager
    report_section "tunnel log" journalctl -u "${TUNNEL_UNIT}" -n 100 --no-pager
  } | mask_report >"${target}"
  chmod 0600 "${target}"
  say "debug report written to ${target} (secrets masked; check it before sending)"
}

main() {
  set_defaults
  parse_args "$@"
  set_paths
  trap abort INT TERM
  trap 'on_exit "$?"' EXIT
  case "${ACTION}" in
    uninstall) uninstall ;;
    debug-report) write_debug_report ;;
    install)
      check_root
      if is_installed; then upgrade; else fresh_install; fi
      ;;
  esac
}

if [[ "${BASH_SOURCE[0]}" == "${0}" ]]; then
  main "$@"
fi
