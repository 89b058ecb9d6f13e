//! Building a Verilated model into a cached shared library.

use crate::error::one_line;
use crate::shim::{shim_source, ABI_H, CORE_H};
use crate::{SimError, SimSpec, TraceKind};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{mpsc, Mutex};
use std::time::{Duration, Instant, SystemTime};

/// Bumped whenever the build recipe changes in a way the hashed inputs do not show.
const RECIPE: &str = "tellme-sim build recipe 1";

/// Verilator options (part of the cache key). `-O3` turns on every Verilator optimisation;
/// X values become whatever is fastest; `--noassert` drops assertion checking from the model.
const VERILATOR_FLAGS: &[&str] = &[
    "--cc",
    "--exe",
    "-O3",
    "--x-assign",
    "fast",
    "--x-initial",
    "fast",
    "--noassert",
    "-Wno-fatal",
];

/// C++ flags for every object of the library (part of the cache key). Hidden visibility keeps
/// each model's copy of the Verilator runtime private to its library (several models can be
/// loaded in one process) and lets the compiler bind calls directly; `VL_USER_*` routes
/// `$stop`/`$fatal`/`$finish` to the harness instead of `abort()`/`exit()`.
const CFLAGS: &str = "-fPIC -fvisibility=hidden -fvisibility-inlines-hidden \
     -fno-semantic-interposition -DVL_USER_FATAL -DVL_USER_STOP -DVL_USER_FINISH";
const LDFLAGS: &str = "-shared -Wl,--no-undefined";

/// g++ optimisation levels passed to Verilator's makefile (part of the cache key; Verilator's
/// default is `-Os`). Measured on a 28 × 16 TLMM-like datapath (2 cores): `-O1` builds in 10 s
/// and runs ~100k cycles/s, `-Os` builds in 25 s at the same speed, `-O2` builds in 28 s and
/// runs ~15 % slower. (On tiny designs `-O2` wins by ~5 %, which does not matter there.)
const MAKE_OPT: &[&str] = &["OPT_FAST=-O1", "OPT_SLOW=-O1", "OPT_GLOBAL=-O1"];

/// Seconds of silence from the tools after which a "still running" progress line is printed.
const HEARTBEAT_S: u64 = 10;

static BUILD_LOCK: Mutex<()> = Mutex::new(());

/// A built (or cached) model, ready for [`crate::Sim::new`].
#[derive(Debug, Clone)]
pub struct Build {
    /// The shared library.
    pub lib_path: PathBuf,
    /// The cache entry holding it (with `build.log`, `shim.cpp`, `meta.json`).
    pub dir: PathBuf,
    /// Seconds spent building; 0 when the cache already had it.
    pub build_s: f64,
    /// Whether the cache already had it.
    pub cached: bool,
    /// The waveform format the model can dump, if any.
    pub trace: Option<TraceKind>,
    /// The spec it was built from.
    pub spec: SimSpec,
    /// The cache key (hex sha256).
    pub key: String,
}

/// The cache root: `$TELLME_CACHE` if set, else `<workspace>/target/tellme-cache`. Models live
/// in its `sim/` folder.
pub fn cache_root() -> PathBuf {
    match std::env::var_os("TELLME_CACHE") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => {
            let sim_crate = Path::new(env!("CARGO_MANIFEST_DIR"));
            sim_crate
                .parent()
                .unwrap_or(sim_crate)
                .join("target")
                .join("tellme-cache")
        }
    }
}

fn io_err(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> SimError {
    let context = context.into();
    move |source| SimError::Io { context, source }
}

/// Finds an executable on `PATH` (honours the caller's `PATH`, nothing else).
pub(crate) fn find_in_path(name: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .filter(|d| !d.as_os_str().is_empty())
        .map(|d| d.join(name))
        .find(|p| {
            fs::metadata(p)
                .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
                .unwrap_or(false)
        })
}

fn is_ident(s: &str) -> bool {
    let mut c = s.chars();
    matches!(c.next(), Some(ch) if ch.is_ascii_alphabetic() || ch == '_')
        && c.all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
}

fn validate(spec: &SimSpec) -> Result<(), SimError> {
    let bad = |m: String| Err(SimError::Spec(m));
    if !is_ident(&spec.top) {
        return bad(format!(
            "top module name `{}` is not a Verilog identifier",
            spec.top
        ));
    }
    if spec.rtl.is_empty() {
        return bad("no Verilog sources (rtl is empty)".into());
    }
    if !(1..=32).contains(&spec.axil_addr_bits) {
        return bad(format!(
            "axil_addr_bits = {} (must be 1..=32)",
            spec.axil_addr_bits
        ));
    }
    let mut seen = BTreeSet::new();
    for m in &spec.masters {
        if !is_ident(&m.name_prefix) {
            return bad(format!(
                "master prefix `{}` is not an identifier prefix",
                m.name_prefix
            ));
        }
        if !seen.insert(&m.name_prefix) {
            return bad(format!("master prefix `{}` appears twice", m.name_prefix));
        }
        if m.data_bits % 64 != 0 || !(64..=1024).contains(&m.data_bits) {
            return bad(format!(
                "master `{}` data_bits = {} (must be a multiple of 64 in 64..=1024)",
                m.name_prefix, m.data_bits
            ));
        }
    }
    Ok(())
}

/// The files to compile, and the files to hash (those plus include files beside them).
fn collect_sources(spec: &SimSpec) -> Result<(Vec<PathBuf>, Vec<PathBuf>), SimError> {
    let rtl_ext = |p: &Path, exts: &[&str]| {
        p.extension()
            .and_then(|e| e.to_str())
            .map(|e| exts.contains(&e))
            .unwrap_or(false)
    };
    let list_dir = |d: &Path| -> Result<Vec<PathBuf>, SimError> {
        let mut v: Vec<PathBuf> = fs::read_dir(d)
            .map_err(io_err(format!(
                "cannot read Verilog folder {}",
                d.display()
            )))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        v.sort();
        Ok(v)
    };
    let mut compile = Vec::new();
    let mut dirs = BTreeSet::new();
    for p in &spec.rtl {
        let p = fs::canonicalize(p).map_err(io_err(format!("Verilog source {}", p.display())))?;
        if p.is_dir() {
            compile.extend(
                list_dir(&p)?
                    .into_iter()
                    .filter(|f| rtl_ext(f, &["v", "sv"])),
            );
            dirs.insert(p);
        } else {
            if let Some(parent) = p.parent() {
                dirs.insert(parent.to_path_buf());
            }
            compile.push(p);
        }
    }
    if compile.is_empty() {
        return Err(SimError::Spec(
            "no *.v / *.sv files in the rtl folders".into(),
        ));
    }
    let mut hashed: BTreeSet<PathBuf> = compile.iter().cloned().collect();
    for d in &dirs {
        hashed.extend(
            list_dir(d)?
                .into_iter()
                .filter(|f| rtl_ext(f, &["v", "sv", "vh", "svh"])),
        );
    }
    Ok((compile, hashed.into_iter().collect()))
}

fn tool_version(exe: &Path, arg: &str) -> Result<String, SimError> {
    let out = Command::new(exe)
        .arg(arg)
        .output()
        .map_err(io_err(format!("cannot run {}", exe.display())))?;
    let text = String::from_utf8_lossy(&out.stdout);
    Ok(text.lines().next().unwrap_or("").trim().to_string())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Serialize)]
struct Meta<'a> {
    top: &'a str,
    key: &'a str,
    trace: Option<TraceKind>,
    verilator: &'a str,
    cxx: &'a str,
    build_s: f64,
    created_unix_s: u64,
    spec: &'a SimSpec,
}

/// Builds the model for `spec` (or finds it in the cache). `trace` selects a waveform format
/// the model can dump (tracing costs speed even when no file is written, so it is a separate
/// build). Progress lines go to `progress` while Verilator and g++ run.
pub fn build(
    spec: &SimSpec,
    trace: Option<TraceKind>,
    progress: &mut dyn FnMut(&str),
) -> Result<Build, SimError> {
    validate(spec)?;
    let verilator = find_in_path("verilator").ok_or(SimError::VerilatorMissing)?;
    let make = find_in_path("make").ok_or(SimError::ToolMissing {
        tool: "make",
        package: "make",
    })?;
    let cxx = find_in_path("g++").ok_or(SimError::ToolMissing {
        tool: "g++",
        package: "g++",
    })?;
    let (compile, hashed) = collect_sources(spec)?;
    let vl_version = tool_version(&verilator, "--version")?;
    let cxx_version = tool_version(&cxx, "--version")?;
    let shim = shim_source(spec);

    // The cache key: everything that can change the library.
    let mut h = Sha256::new();
    let mut field = |name: &str, data: &[u8]| {
        h.update(name.as_bytes());
        h.update((data.len() as u64).to_le_bytes());
        h.update(data);
    };
    field("recipe", RECIPE.as_bytes());
    field("verilator", vl_version.as_bytes());
    field("cxx", cxx_version.as_bytes());
    field("flags", VERILATOR_FLAGS.join(" ").as_bytes());
    field("cflags", CFLAGS.as_bytes());
    field("ldflags", LDFLAGS.as_bytes());
    field("make", MAKE_OPT.join(" ").as_bytes());
    field("args", spec.verilator_args.join("\u{1}").as_bytes());
    field("top", spec.top.as_bytes());
    field("trace", format!("{trace:?}").as_bytes());
    field("shim", shim.as_bytes());
    field("core", CORE_H.as_bytes());
    field("abi", ABI_H.as_bytes());
    for f in &compile {
        field(
            "compiled",
            f.file_name().unwrap_or_default().as_encoded_bytes(),
        );
    }
    for f in &hashed {
        let data = fs::read(f).map_err(io_err(format!("cannot read {}", f.display())))?;
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        field("file", name.as_bytes());
        field("content", &data);
    }
    let key = hex(&h.finalize());

    let root = cache_root().join("sim");
    let name = format!("{}-{}", spec.top, &key[..16]);
    let dir = root.join(&name);
    let lib_name = format!("libtellme_{}.so", spec.top);
    let lib_path = dir.join(&lib_name);
    let done = |build_s: f64, cached: bool| Build {
        lib_path: lib_path.clone(),
        dir: dir.clone(),
        build_s,
        cached,
        trace,
        spec: spec.clone(),
        key: key.clone(),
    };
    if lib_path.is_file() {
        return Ok(done(0.0, true));
    }

    // One build at a time in this process (the machine has few cores); re-check the cache
    // after waiting, another thread may have built the same model.
    let _guard = BUILD_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    if lib_path.is_file() {
        return Ok(done(0.0, true));
    }
    fs::create_dir_all(&root).map_err(io_err(format!(
        "cannot create cache folder {}",
        root.display()
    )))?;
    remove_stale_temps(&root);
    let t0 = Instant::now();
    let tmp = tempfile::Builder::new()
        .prefix(".tmp-")
        .tempdir_in(&root)
        .map_err(io_err(format!(
            "cannot create a build folder in {}",
            root.display()
        )))?;
    let work = tmp.path();
    let log_path = work.join("build.log");
    let mut log = fs::File::create(&log_path).map_err(io_err("cannot create build.log"))?;
    for (file, text) in [
        ("shim.cpp", shim.as_str()),
        ("tellme_sim_core.h", CORE_H),
        ("tellme_sim_abi.h", ABI_H),
    ] {
        fs::write(work.join(file), text).map_err(io_err(format!("cannot write {file}")))?;
    }
    let obj = work.join("obj");
    progress(&format!(
        "building simulation model for `{}` ({} Verilog file{}{}) in {}",
        spec.top,
        compile.len(),
        if compile.len() == 1 { "" } else { "s" },
        trace
            .map(|t| format!(", {} tracing", t.extension()))
            .unwrap_or_default(),
        dir.display()
    ));

    // 1. Verilator: Verilog → C++ and a makefile.
    let mut cmd = Command::new(&verilator);
    cmd.args(VERILATOR_FLAGS);
    match trace {
        Some(TraceKind::Vcd) => {
            cmd.arg("--trace");
        }
        Some(TraceKind::Fst) => {
            cmd.arg("--trace-fst");
        }
        None => {}
    }
    let incdirs: BTreeSet<PathBuf> = compile
        .iter()
        .filter_map(|f| f.parent().map(Path::to_path_buf))
        .collect();
    for d in &incdirs {
        cmd.arg(format!("-I{}", d.display()));
    }
    cmd.arg("--top-module").arg(&spec.top);
    cmd.arg("--Mdir").arg(&obj);
    cmd.arg("-o").arg(&lib_name);
    cmd.arg("-CFLAGS")
        .arg(format!("{CFLAGS} -I{}", work.display()));
    cmd.arg("-LDFLAGS").arg(LDFLAGS);
    cmd.args(&spec.verilator_args);
    cmd.args(&compile);
    cmd.arg(work.join("shim.cpp"));
    let verilated = run_logged(cmd, &mut log, progress, "verilator", |line| {
        line.starts_with("%Error").then(|| one_line(line))
    })?;
    if !verilated {
        return Err(fail("verilator", spec, &log_path, &root, &name));
    }
    progress(&format!(
        "verilated in {:.1} s; compiling the model with g++",
        t0.elapsed().as_secs_f64()
    ));

    // 2. make + g++: C++ → shared library.
    let jobs = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let mut cmd = Command::new(&make);
    cmd.arg("-C")
        .arg(&obj)
        .arg("-f")
        .arg(format!("V{}.mk", spec.top))
        .arg(format!("-j{jobs}"));
    cmd.args(MAKE_OPT).arg(&lib_name);
    let compiled = run_logged(cmd, &mut log, progress, "g++", compile_progress)?;
    if !compiled || !obj.join(&lib_name).is_file() {
        return Err(fail("C++ compilation", spec, &log_path, &root, &name));
    }

    // 3. Keep the library, the log and the shim; drop the objects; move into place atomically.
    fs::rename(obj.join(&lib_name), work.join(&lib_name))
        .map_err(io_err("cannot move the library"))?;
    let _ = fs::remove_dir_all(&obj);
    let build_s = t0.elapsed().as_secs_f64();
    let meta = Meta {
        top: &spec.top,
        key: &key,
        trace,
        verilator: &vl_version,
        cxx: &cxx_version,
        build_s,
        created_unix_s: SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0),
        spec,
    };
    let meta_json = serde_json::to_string_pretty(&meta).unwrap_or_default();
    fs::write(work.join("meta.json"), meta_json).map_err(io_err("cannot write meta.json"))?;
    drop(log);
    let work = tmp.keep();
    if let Err(e) = fs::rename(&work, &dir) {
        let _ = fs::remove_dir_all(&work);
        // Another process finished the same build first: use that one.
        if !lib_path.is_file() {
            return Err(SimError::Io {
                context: format!("cannot move the build into {}", dir.display()),
                source: e,
            });
        }
    }
    progress(&format!("built `{}` in {build_s:.1} s", spec.top));
    Ok(done(build_s, false))
}

/// A failed build: keep its log under `<cache>/sim/logs/` and name it in a one-line error.
fn fail(stage: &'static str, spec: &SimSpec, log: &Path, root: &Path, name: &str) -> SimError {
    let logs = root.join("logs");
    let kept = logs.join(format!("{name}.log"));
    let kept = match fs::create_dir_all(&logs).and_then(|_| fs::copy(log, &kept)) {
        Ok(_) => kept,
        Err(_) => log.to_path_buf(),
    };
    let text = fs::read_to_string(&kept).unwrap_or_default();
    let first_error = text
        .lines()
        .find(|l| l.starts_with("%Error") || l.contains("error:") || l.contains("Error "))
        .map(|l| {
            let l = one_line(l);
            if l.len() > 300 {
                let mut end = 300;
                while !l.is_char_boundary(end) {
                    end -= 1;
                }
                format!("{}...", &l[..end])
            } else {
                l
            }
        })
        .unwrap_or_else(|| "see the log".into());
    let first_error = if text.contains("zlib.h: No such file") {
        format!("{first_error} (FST tracing needs zlib; install it with: sudo apt-get install -y zlib1g-dev)")
    } else {
        first_error
    };
    SimError::BuildFailed {
        stage,
        top: spec.top.clone(),
        first_error,
        log: kept,
    }
}

/// Removes `.tmp-*` build folders left by interrupted builds (older than a day, so a build that
/// another process is running right now is never touched).
fn remove_stale_temps(root: &Path) {
    let Ok(entries) = fs::read_dir(root) else {
        return;
    };
    for e in entries.flatten() {
        let stale = e.file_name().to_string_lossy().starts_with(".tmp-")
            && e.metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .map(|age| age > Duration::from_secs(24 * 3600))
                .unwrap_or(false);
        if stale {
            let _ = fs::remove_dir_all(e.path());
        }
    }
}

/// A short progress line for a line of make output, if it is worth one.
fn compile_progress(line: &str) -> Option<String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    if words
        .first()
        .is_some_and(|w| w.ends_with("g++") || w.ends_with("c++"))
    {
        if words.contains(&"-c") {
            let src = words.last()?;
            let file = Path::new(src).file_name()?.to_string_lossy().into_owned();
            return Some(format!("g++: compiling {file}"));
        }
        if words.contains(&"-shared") {
            let out = words
                .iter()
                .position(|w| *w == "-o")
                .and_then(|i| words.get(i + 1))?;
            return Some(format!("g++: linking {out}"));
        }
    }
    (line.contains("error:") || line.contains("Error ")).then(|| one_line(line))
}

/// Runs `cmd`, appending its output to `log` and printing selected lines (and a heartbeat
/// while it is silent) through `progress`. Returns whether it succeeded.
fn run_logged(
    mut cmd: Command,
    log: &mut fs::File,
    progress: &mut dyn FnMut(&str),
    label: &str,
    filter: fn(&str) -> Option<String>,
) -> Result<bool, SimError> {
    let _ = writeln!(log, "$ {cmd:?}");
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(io_err(format!("cannot run {label}")))?;
    let (tx, rx) = mpsc::channel::<String>();
    let mut readers = Vec::new();
    let outs: [Box<dyn Read + Send>; 2] = [
        Box::new(child.stdout.take().expect("piped stdout")),
        Box::new(child.stderr.take().expect("piped stderr")),
    ];
    for out in outs {
        let tx = tx.clone();
        readers.push(std::thread::spawn(move || {
            let mut r = BufReader::new(out);
            let mut buf = Vec::new();
            while matches!(r.read_until(b'\n', &mut buf), Ok(n) if n > 0) {
                let line = String::from_utf8_lossy(&buf).trim_end().to_string();
                buf.clear();
                if tx.send(line).is_err() {
                    break;
                }
            }
        }));
    }
    drop(tx);
    let start = Instant::now();
    let mut last_shown = Instant::now();
    loop {
        match rx.recv_timeout(Duration::from_secs(1)) {
            Ok(line) => {
                let _ = writeln!(log, "{line}");
                if let Some(msg) = filter(&line) {
                    progress(&msg);
                    last_shown = Instant::now();
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
        if last_shown.elapsed() >= Duration::from_secs(HEARTBEAT_S) {
            progress(&format!(
                "{label}: still running ({:.0} s)",
                start.elapsed().as_secs_f64()
            ));
            last_shown = Instant::now();
        }
    }
    for r in readers {
        let _ = r.join();
    }
    let status = child
        .wait()
        .map_err(io_err(format!("cannot wait for {label}")))?;
    let _ = writeln!(
        log,
        "[{label} exited with {status} after {:.1} s]",
        start.elapsed().as_secs_f64()
    );
    Ok(status.success())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_lines_from_make_output() {
        assert_eq!(
            compile_progress(
                "g++  -I.  -MMD -Os -c -o verilated.o /usr/share/verilator/include/verilated.cpp"
            ),
            Some("g++: compiling verilated.cpp".into())
        );
        assert_eq!(
            compile_progress("g++    main.o verilated.o V__ALL.a   -shared  -pthread -o libx.so"),
            Some("g++: linking libx.so".into())
        );
        assert_eq!(compile_progress("make: Entering directory '/tmp'"), None);
    }

    #[test]
    fn spec_validation() {
        let ok = SimSpec {
            rtl: vec!["x.v".into()],
            top: "top".into(),
            axil_addr_bits: 16,
            ..Default::default()
        };
        assert!(validate(&ok).is_ok());
        let mut s = ok.clone();
        s.top = "1top".into();
        assert!(validate(&s).is_err());
        let mut s = ok.clone();
        s.masters = vec![crate::MasterSpec::new("m_", 96, false)];
        assert!(validate(&s)
            .unwrap_err()
            .to_string()
            .contains("multiple of 64"));
        let mut s = ok;
        s.masters = vec![
            crate::MasterSpec::new("m_", 64, false),
            crate::MasterSpec::new("m_", 128, false),
        ];
        assert!(validate(&s).unwrap_err().to_string().contains("twice"));
    }
}
