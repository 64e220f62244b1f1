//! The run's trace: one line per step, in order, with the simulated time and what the fault gate
//! did during the step. The same seed writes the same trace.

use crate::world::{START, World};

/// What happened during a run, step by step: printed on failure, compared to check a replay.
#[derive(Debug, Default, Clone)]
pub struct Trace {
    /// Every line written so far, oldest first (`[   123s] flow 4: …`).
    pub lines: Vec<String>,
}

impl Trace {
    /// Records what the gate did during the step, then the step itself.
    pub fn line(&mut self, world: &World, text: &str) {
        let seconds = (world.now().millis() - START.millis()) / 1_000;
        let subject = text.split(':').next().unwrap_or_default();
        for fault in world.gate.take_log() {
            self.lines
                .push(format!("[{seconds:>7}s] {subject}:   {fault}"));
        }
        self.lines.push(format!("[{seconds:>7}s] {text}"));
    }

    /// The lines about one flow (and every crash and restart), for a readable failure report.
    pub fn of_flow(&self, number: usize) -> Vec<&str> {
        let tag = format!("flow {number}:");
        self.lines
            .iter()
            .map(String::as_str)
            .filter(|line| line.contains(&tag))
            .collect()
    }
}
