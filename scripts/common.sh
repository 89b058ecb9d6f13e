# Shared by run.sh and test.sh: make sure the tools are there, installing what is missing from
# the distribution's packages when we are root, or printing the exact command when we are not.
set -euo pipefail

# need WHAT:PACKAGE ... — WHAT is a command that must be on PATH, or an absolute path (a header,
# a library) that must exist; PACKAGE is the Debian/Ubuntu package that provides it.
need() {
    local missing=() pair what
    for pair in "$@"; do
        what=${pair%%:*}
        if [ "${what#/}" != "$what" ]; then
            [ -e "$what" ] || missing+=("${pair#*:}")
        else
            command -v "$what" >/dev/null 2>&1 || missing+=("${pair#*:}")
        fi
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

# Verilator simulates the generated Verilog (its C++ needs g++, make, and zlib for FST traces);
# Icarus Verilog replays block tests on the emitted Verilog; Yosys estimates resources.
need g++:g++ make:make verilator:verilator /usr/include/zlib.h:zlib1g-dev iverilog:iverilog yosys:yosys
