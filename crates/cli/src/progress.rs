//! Progress on long steps: a spinner per stage on a terminal, nothing when output is piped
//! (indicatif hides itself when stderr is not a terminal).

use indicatif::{ProgressBar, ProgressStyle};
use std::time::{Duration, Instant};

/// A running spinner labelled `label`.
fn start(label: &str) -> (ProgressBar, Instant) {
    let pb = ProgressBar::new_spinner();
    pb.set_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .expect("static template is valid"),
    );
    pb.set_message(label.to_string());
    pb.enable_steady_tick(Duration::from_millis(120));
    (pb, Instant::now())
}

/// Clears the spinner and leaves a line with the elapsed time.
fn finish(pb: ProgressBar, started: Instant, label: &str) {
    pb.finish_and_clear();
    if !pb.is_hidden() {
        eprintln!("✓ {label} ({:.1} s)", started.elapsed().as_secs_f64());
    }
}

/// Runs `f` under a spinner labelled `label`, then leaves a line with the elapsed time.
pub fn stage<T>(label: &str, f: impl FnOnce() -> T) -> T {
    let (pb, started) = start(label);
    let out = f();
    finish(pb, started, label);
    out
}

/// A spinner per pipeline stage, labelled from the message catalogue in `lang`.
pub struct Spinners {
    lang: tvaers_messages::Lang,
    current: Option<(ProgressBar, Instant)>,
}

impl Spinners {
    pub fn new(lang: tvaers_messages::Lang) -> Spinners {
        Spinners {
            lang,
            current: None,
        }
    }
}

impl tvaers_pipeline::Progress for Spinners {
    fn begin(&mut self, stage: tvaers_pipeline::Stage) {
        self.current = Some(start(tvaers_messages::t(self.lang, stage.message())));
    }

    fn end(&mut self, stage: tvaers_pipeline::Stage) {
        if let Some((pb, started)) = self.current.take() {
            finish(pb, started, tvaers_messages::t(self.lang, stage.message()));
        }
    }
}
