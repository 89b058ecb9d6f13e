//! Progress output on stderr for anything that can take more than a second. Bars draw only on a
//! terminal (indicatif hides them otherwise), so logs and CI output stay clean.

use indicatif::{ProgressBar, ProgressStyle};
use std::time::Duration;

/// A spinner for a step of unknown length.
pub fn spinner(msg: &str) -> ProgressBar {
    let pb = ProgressBar::new_spinner();
    pb.set_style(
        ProgressStyle::with_template("{spinner} {msg} {elapsed}").expect("valid template"),
    );
    pb.set_message(msg.to_string());
    pb.enable_steady_tick(Duration::from_millis(120));
    pb
}

/// A bar for counted work; `phase` labels it.
pub fn bar(phase: &str, total: u64) -> ProgressBar {
    let pb = ProgressBar::new(total);
    pb.set_style(
        ProgressStyle::with_template("{msg:>8} [{bar:30}] {pos}/{len} {elapsed}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    pb.set_message(phase.to_string());
    pb
}

/// A callback for the model crate's `(phase, done, total)` progress that keeps one bar per
/// phase.
pub fn phases() -> impl FnMut(&'static str, u64, u64) {
    let mut current: Option<(&'static str, ProgressBar)> = None;
    move |phase, done, total| {
        if current.as_ref().map(|(p, _)| *p) != Some(phase) {
            if let Some((_, pb)) = current.take() {
                pb.finish_and_clear();
            }
            current = Some((phase, bar(phase, total)));
        }
        let (_, pb) = current.as_ref().expect("set above");
        pb.set_length(total);
        pb.set_position(done);
        if done >= total {
            pb.finish_and_clear();
        }
    }
}
