//! Progress on long steps: a spinner per stage on a terminal, nothing when output is piped
//! (indicatif hides itself when stderr is not a terminal).

use indicatif::{ProgressBar, ProgressStyle};
use std::time::{Duration, Instant};

/// Runs `f` under a spinner labelled `label`, then leaves a line with the elapsed time.
pub fn stage<T>(label: &str, f: impl FnOnce() -> T) -> T {
    let pb = ProgressBar::new_spinner();
    pb.set_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .expect("static template is valid"),
    );
    pb.set_message(label.to_string());
    pb.enable_steady_tick(Duration::from_millis(120));
    let started = Instant::now();
    let out = f();
    pb.finish_and_clear();
    if !pb.is_hidden() {
        eprintln!("✓ {label} ({:.1} s)", started.elapsed().as_secs_f64());
    }
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
        let pb = ProgressBar::new_spinner();
        pb.set_style(
            ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                .expect("static template is valid"),
        );
        pb.set_message(tvaers_messages::t(self.lang, stage.message()));
        pb.enable_steady_tick(Duration::from_millis(120));
        self.current = Some((pb, Instant::now()));
    }

    fn end(&mut self, stage: tvaers_pipeline::Stage) {
        if let Some((pb, started)) = self.current.take() {
            pb.finish_and_clear();
            if !pb.is_hidden() {
                eprintln!(
                    "✓ {} ({:.1} s)",
                    tvaers_messages::t(self.lang, stage.message()),
                    started.elapsed().as_secs_f64()
                );
            }
        }
    }
}
