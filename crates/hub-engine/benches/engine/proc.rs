//! The process's memory as Linux reports it in `/proc/self/status`: resident set (`VmRSS`) and
//! its high-water mark (`VmHWM`), which `/proc/self/clear_refs` can reset so that a peak belongs
//! to one step only.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use crate::Result;

/// Resident memory now and at its peak, in KiB.
#[derive(Debug, Clone, Copy)]
pub struct Memory {
    /// `VmRSS`.
    pub rss_kib: u64,
    /// `VmHWM`: the peak since start or since [`reset_peak`].
    pub peak_kib: u64,
}

/// Reads `VmRSS` and `VmHWM`.
pub fn memory() -> Result<Memory> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let field = |name: &str| -> Result<u64> {
        let line = status
            .lines()
            .find(|l| l.starts_with(name))
            .ok_or_else(|| format!("/proc/self/status has no {name}"))?;
        let kib = line
            .split_whitespace()
            .nth(1)
            .ok_or_else(|| format!("malformed {line}"))?;
        Ok(kib.parse()?)
    };
    Ok(Memory {
        rss_kib: field("VmRSS:")?,
        peak_kib: field("VmHWM:")?,
    })
}

/// Resets `VmHWM` to the current `VmRSS` (Linux 4.0+).
pub fn reset_peak() -> Result<()> {
    std::fs::write("/proc/self/clear_refs", "5")?;
    Ok(())
}

/// The 1-, 5- and 15-minute load averages, as `/proc/loadavg` gives them.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_owned())
}

/// KiB as MB (10^6 bytes), rounded to 0.1.
pub fn mb(kib: u64) -> f64 {
    (kib as f64 * 1024.0 / 1e5).round() / 10.0
}

/// Polls `VmRSS` every 50 ms on a thread of its own and keeps the largest value seen, as a
/// cross-check of `VmHWM` (and to print progress).
pub struct Sampler {
    stop: Arc<AtomicBool>,
    max_kib: Arc<AtomicU64>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Sampler {
    /// Starts polling.
    pub fn start() -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let max_kib = Arc::new(AtomicU64::new(0));
        let thread = {
            let (stop, max_kib) = (stop.clone(), max_kib.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    if let Ok(m) = memory() {
                        max_kib.fetch_max(m.rss_kib, Ordering::Relaxed);
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
            })
        };
        Self {
            stop,
            max_kib,
            thread: Some(thread),
        }
    }

    /// The largest `VmRSS` seen so far, in KiB.
    pub fn max_kib(&self) -> u64 {
        self.max_kib.load(Ordering::Relaxed)
    }

    /// A handle for progress lines.
    pub fn max_handle(&self) -> Arc<AtomicU64> {
        self.max_kib.clone()
    }

    /// Stops polling; returns the largest `VmRSS` seen, in KiB.
    pub fn finish(mut self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        self.max_kib()
    }
}

/// CPU time (user + system) of every thread of the process so far, in seconds.
pub fn cpu_seconds() -> Result<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat")?;
    // Fields after `(comm)`: state is the 3rd field overall, utime the 14th, stime the 15th.
    let rest = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .ok_or("malformed /proc/self/stat")?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |index: usize| -> Result<f64> {
        let field = fields.get(index - 3).ok_or("short /proc/self/stat")?;
        Ok(field.parse::<f64>()?)
    };
    Ok(((ticks(14)? + ticks(15)?) / clock_ticks() * 1000.0).round() / 1000.0)
}

/// `CLK_TCK` from `getconf` (100 on every common Linux build when it cannot be asked).
fn clock_ticks() -> f64 {
    static TICKS: std::sync::LazyLock<f64> = std::sync::LazyLock::new(|| {
        std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(100.0)
    });
    *TICKS
}
