//! CPU budgets for hostile input: what a call costs in the CPU time of the thread that runs it
//! (not wall time, so the machine's other work does not count). The budgets are stated for an
//! optimised build; an unoptimised test build gets ten times as much. A quadratic path on a
//! 1 MiB body costs seconds, so the margin keeps the check independent of the machine's speed.

/// The CPU time this thread has used, in milliseconds.
pub fn thread_cpu_ms() -> f64 {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid timespec for the call to fill.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    assert_eq!(status, 0, "the thread's CPU clock");
    now.tv_sec as f64 * 1_000.0 + now.tv_nsec as f64 / 1_000_000.0
}

/// `optimised_ms` in an optimised build, ten times as much in an unoptimised one.
pub fn budget_ms(optimised_ms: f64) -> f64 {
    if cfg!(debug_assertions) {
        optimised_ms * 10.0
    } else {
        optimised_ms
    }
}

/// Runs `work` on this thread and checks it stayed within [`budget_ms`]`(optimised_ms)` of CPU;
/// returns what it returned. `what` names it in the failure (and the time spent is printed).
pub fn within_cpu_budget<T>(what: &str, optimised_ms: f64, work: impl FnOnce() -> T) -> T {
    let started = thread_cpu_ms();
    let result = work();
    let spent = thread_cpu_ms() - started;
    println!("{what}: {spent:.1} ms of CPU");
    assert!(
        spent < budget_ms(optimised_ms),
        "{what}: {spent:.1} ms of CPU, over the budget of {:.0} ms",
        budget_ms(optimised_ms)
    );
    result
}
