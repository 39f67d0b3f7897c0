//! When change detection runs: every N seconds, or on a cron schedule.
//!
//! Administrators coming from the commercial hub write Quartz expressions: six or seven fields,
//! seconds first, `?` for "no specific value", an optional year. The scheduler takes six fields
//! with `*` instead of `?`; [`normalize_cron`] converts, and refuses what it cannot honour (a year
//! other than `*`) with a clear reason instead of silently running at other times.

use std::time::Duration;

use tokio::sync::mpsc;
use tokio_cron_scheduler::{Job, JobScheduler};

/// A Quartz-style expression as the scheduler needs it, or why it cannot be used.
pub fn normalize_cron(expression: &str) -> Result<String, String> {
    let fields: Vec<&str> = expression.split_whitespace().collect();
    let fields = match fields.len() {
        6 => fields,
        7 if fields[6] == "*" || fields[6] == "?" => fields[..6].to_vec(),
        7 => {
            return Err(format!(
                "a year field ('{}') is not supported; use '*'",
                fields[6]
            ));
        }
        n => return Err(format!("needs 6 or 7 fields (seconds first), found {n}")),
    };
    let converted: Vec<String> = fields
        .iter()
        .map(|f| {
            if *f == "?" {
                "*".to_owned()
            } else {
                (*f).to_owned()
            }
        })
        .collect();
    let text = converted.join(" ");
    // Let the scheduler's own parser have the last word.
    Job::new_async(text.as_str(), |_, _| Box::pin(async {}))
        .map_err(|e| format!("'{expression}': {e}"))?;
    Ok(text)
}

/// Ticks of a detector: a cron schedule's firings or a fixed interval.
pub enum Ticks {
    /// Every `Duration`.
    Interval(Duration),
    /// When the scheduler fires.
    Cron {
        /// Firings.
        fired: mpsc::Receiver<()>,
        /// Kept alive for as long as the ticks are used.
        scheduler: JobScheduler,
    },
}

impl Ticks {
    /// Ticks for a cron expression, or for an interval when there is none.
    pub async fn new(cron: Option<&str>, interval: Duration) -> Result<Self, String> {
        let Some(expression) = cron else {
            return Ok(Ticks::Interval(interval));
        };
        let normalized = normalize_cron(expression)?;
        let (tx, fired) = mpsc::channel(1);
        let job = Job::new_async(normalized.as_str(), move |_, _| {
            let tx = tx.clone();
            Box::pin(async move {
                let _ = tx.try_send(()); // a detection already waiting covers this firing too
            })
        })
        .map_err(|e| e.to_string())?;
        let scheduler = JobScheduler::new().await.map_err(|e| e.to_string())?;
        scheduler.add(job).await.map_err(|e| e.to_string())?;
        scheduler.start().await.map_err(|e| e.to_string())?;
        Ok(Ticks::Cron { fired, scheduler })
    }

    /// Waits for the next tick.
    pub async fn next(&mut self) {
        match self {
            Ticks::Interval(every) => tokio::time::sleep(*every).await,
            Ticks::Cron { fired, .. } => {
                if fired.recv().await.is_none() {
                    std::future::pending::<()>().await;
                }
            }
        }
    }

    /// Stops the scheduler, if any.
    pub async fn stop(self) {
        if let Ticks::Cron { mut scheduler, .. } = self {
            let _ = scheduler.shutdown().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quartz_expressions_become_six_field_schedules() {
        assert_eq!(normalize_cron("0 0/5 * * * ?").unwrap(), "0 0/5 * * * *");
        assert_eq!(
            normalize_cron("0 15 10 ? * MON-FRI *").unwrap(),
            "0 15 10 * * MON-FRI"
        );
    }

    #[test]
    fn unusable_expressions_are_refused_with_a_reason() {
        assert!(
            normalize_cron("*/5 * * * *")
                .unwrap_err()
                .contains("6 or 7 fields")
        );
        assert!(
            normalize_cron("0 0 12 * * ? 2030")
                .unwrap_err()
                .contains("year")
        );
        assert!(
            normalize_cron("0 0 25 * * *").is_err(),
            "hour 25 does not exist"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_cron_schedule_fires() {
        let mut ticks = Ticks::new(Some("* * * * * ?"), Duration::from_secs(3600))
            .await
            .unwrap();
        tokio::time::timeout(Duration::from_secs(5), ticks.next())
            .await
            .expect("fires within a second or two");
        ticks.stop().await;
    }
}
