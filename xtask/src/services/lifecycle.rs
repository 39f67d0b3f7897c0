//! The lifecycle shared by every service: reuse or clean up a recorded
//! instance, install, pick a port, start, wait for readiness, record; and
//! the reverse on `down`.

use std::fs;
use std::net::TcpListener;
use std::time::Duration;

use super::{Instance, Service, Slot, install, is_live, process, select};
use crate::error::{Error, Result};

/// How long a server may take to accept connections.
const START_TIMEOUT: Duration = Duration::from_secs(90);
/// How long a server may take to exit after SIGTERM.
const STOP_GRACE: Duration = Duration::from_secs(20);

/// A running instance and whether this call started it (false: reused).
pub struct Up {
    /// The instance's record.
    pub instance: Instance,
    /// True when started now, so the caller owns stopping it.
    pub fresh: bool,
}

/// Starts the named services (all when empty), reusing live instances.
pub fn up(names: &[String]) -> Result<Vec<Up>> {
    select(names)
        .iter()
        .map(|service| up_one(service.as_ref()))
        .collect()
}

/// Stops the named services (all when empty) and removes their directories.
pub fn down(names: &[String]) -> Result<()> {
    for service in select(names) {
        let name = service.name();
        match Instance::load(name)? {
            None => eprintln!("{name}: not running"),
            Some(instance) => {
                teardown(&instance)?;
                eprintln!("{name}: stopped");
            }
        }
    }
    Ok(())
}

fn up_one(service: &dyn Service) -> Result<Up> {
    let name = service.name();
    if let Some(instance) = Instance::load(name)? {
        if is_live(service, &instance) {
            eprintln!("{name}: already running at {}", instance.admin_url);
            return Ok(Up {
                instance,
                fresh: false,
            });
        }
        eprintln!(
            "{name}: recorded instance (pid {}) is dead; cleaning up",
            instance.pid
        );
        teardown(&instance)?;
    }
    if !service.installed() {
        install::apt_install(service.packages())?;
        if !service.installed() {
            return Err(Error::service(
                name,
                "still missing after installing its packages",
            ));
        }
    }
    let dir = tempfile::Builder::new()
        .prefix(&format!("syncline-{name}-"))
        .tempdir()?
        .keep();
    let slot = Slot {
        log: dir.join("server.log"),
        port: free_port()?,
        dir,
    };
    let launched = match service.start(&slot) {
        Ok(launched) => launched,
        Err(err) => {
            let _ = fs::remove_dir_all(&slot.dir);
            return Err(err);
        }
    };
    let instance = Instance {
        name: name.to_owned(),
        kind: service.kind().to_owned(),
        port: slot.port,
        pid: launched.pid,
        dir: slot.dir,
        data_dir: launched.data_dir,
        log: slot.log,
        admin_url: service.admin_url(slot.port),
    };
    instance.save()?;
    if let Err(err) = wait_ready(service, &instance).and_then(|()| service.prepare(&instance)) {
        let tail = process::log_tail(&instance.log, 30);
        // Best effort: the original error is the one worth reporting.
        let _ = teardown(&instance);
        return Err(Error::service(name, format!("{err}\n{tail}")));
    }
    eprintln!(
        "{name}: up at {} (pid {})",
        instance.admin_url, instance.pid
    );
    Ok(Up {
        instance,
        fresh: true,
    })
}

fn wait_ready(service: &dyn Service, instance: &Instance) -> Result<()> {
    eprintln!(
        "{}: waiting up to {}s for connections on 127.0.0.1:{}",
        instance.name,
        START_TIMEOUT.as_secs(),
        instance.port
    );
    let mut exited = false;
    let ready = process::wait_until(START_TIMEOUT, || {
        exited = !process::alive(instance.pid);
        exited || service.ready(instance)
    });
    match (ready, exited) {
        (true, false) => Ok(()),
        (_, true) => {
            let how = process::exit_description(instance.pid)
                .map_or_else(String::new, |how| format!(" ({how})"));
            Err(Error::Other(format!(
                "the server exited during startup{how}"
            )))
        }
        (false, false) => Err(Error::Other(format!(
            "not accepting connections after {}s",
            START_TIMEOUT.as_secs()
        ))),
    }
}

/// Stops the process, deletes the instance directory and the record.
fn teardown(instance: &Instance) -> Result<()> {
    process::stop(instance.pid, &instance.dir, STOP_GRACE)?;
    match fs::remove_dir_all(&instance.dir) {
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
            return Err(Error::Io(format!(
                "removing {}: {err}",
                instance.dir.display()
            )));
        }
        _ => {}
    }
    Instance::forget(&instance.name)
}

/// Asks the kernel for a free port by binding port 0 on 127.0.0.1.
fn free_port() -> Result<u16> {
    let listener = TcpListener::bind(("127.0.0.1", 0))?;
    Ok(listener.local_addr()?.port())
}
