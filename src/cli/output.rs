//! Output files are written whole or not at all: a temporary sibling is created up front (so an
//! unwritable path fails before any long work) and renamed into place at the end.

use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

pub struct AtomicFile {
    path: PathBuf,
    tmp: PathBuf,
    committed: bool,
}

impl AtomicFile {
    /// Reserve `path`: create its temporary sibling now.
    pub fn create(path: &Path) -> Result<AtomicFile> {
        let name = path
            .file_name()
            .with_context(|| format!("cannot write {}: not a file name", path.display()))?;
        let tmp = path.with_file_name(format!(
            ".{}.tmp-{}",
            name.to_string_lossy(),
            std::process::id()
        ));
        std::fs::write(&tmp, b"").with_context(|| format!("cannot write {}", path.display()))?;
        Ok(AtomicFile {
            path: path.to_path_buf(),
            tmp,
            committed: false,
        })
    }

    /// Write the contents and move them into place.
    pub fn commit(mut self, contents: &[u8]) -> Result<()> {
        std::fs::write(&self.tmp, contents)
            .with_context(|| format!("cannot write {}", self.path.display()))?;
        std::fs::rename(&self.tmp, &self.path)
            .with_context(|| format!("cannot write {}", self.path.display()))?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Reserve an optional JSON report path.
pub fn reserve(path: Option<&Path>) -> Result<Option<AtomicFile>> {
    path.map(AtomicFile::create).transpose()
}

/// Serialise `value` as pretty JSON into a reserved file.
pub fn commit_json(file: Option<AtomicFile>, value: &serde_json::Value) -> Result<()> {
    if let Some(f) = file {
        let mut text = serde_json::to_string_pretty(value)?;
        text.push('\n');
        f.commit(text.as_bytes())?;
    }
    Ok(())
}
