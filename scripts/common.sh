# Shared by run.sh and test.sh: make sure the tools are there, installing what is missing from
# the distribution's packages when we are root, or printing the exact command when we are not.
set -euo pipefail

# need CMD:PACKAGE ... — every CMD must be on PATH; PACKAGE is the Debian/Ubuntu package.
need() {
    local missing=() pair
    for pair in "$@"; do
        command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "installing: ${missing[*]}" >&2
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        echo "missing tools; install them with:" >&2
        echo "    sudo apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
}

if ! command -v cargo >/dev/null 2>&1; then
    echo "cargo not found: install Rust from https://rustup.rs (then open a new shell)" >&2
    exit 1
fi

# A C++ compiler builds the Verilated models; Verilator and Yosys come from the distribution.
need g++:g++ make:make
