//! A private OpenLDAP directory for the extension host's `ldap.*` tests: `slapd` with a
//! `slapd.conf` and an MDB database inside the instance directory, seeded offline with
//! `slapadd` (a base DN, an organizational unit and a few people), listening on 127.0.0.1.
//!
//! Tests find it through `SYNCLINE_TEST_LDAP_URL`, `…_BASE`, `…_BIND_DN` and `…_PASSWORD`.

use std::fs;
use std::path::Path;
use std::process::Command;

use super::{Instance, Launched, Service, Slot, install};
use crate::cmd;
use crate::error::{Error, Result};

/// Suffix of the directory.
const BASE: &str = "dc=example,dc=com";
/// The administrator's DN.
const BIND_DN: &str = "cn=admin,dc=example,dc=com";
/// The administrator's password (a throw-away test directory).
const PASSWORD: &str = "syncline-test";

/// The people every instance starts with: uid, common name, surname, e-mail.
const PEOPLE: [(&str, &str, &str, &str); 3] = [
    ("jsmith", "John Smith", "Smith", "john.smith@email.com"),
    ("ljones", "Larry Jones", "Jones", "ljones@email.com"),
    (
        "o(brien)*",
        "Pat O'Brien",
        "O'Brien",
        "pat.obrien@email.com",
    ),
];

/// OpenLDAP, from the Debian `slapd` and `ldap-utils` packages.
pub struct Slapd;

fn config(dir: &Path, data: &Path) -> String {
    format!(
        "include /etc/ldap/schema/core.schema\n\
         include /etc/ldap/schema/cosine.schema\n\
         include /etc/ldap/schema/inetorgperson.schema\n\
         modulepath /usr/lib/ldap\n\
         moduleload back_mdb\n\
         pidfile {pid}\n\
         database mdb\n\
         maxsize 104857600\n\
         suffix \"{BASE}\"\n\
         rootdn \"{BIND_DN}\"\n\
         rootpw {PASSWORD}\n\
         directory {data}\n",
        pid = dir.join("slapd.pid").display(),
        data = data.display(),
    )
}

fn seed() -> String {
    let mut ldif = format!(
        "dn: {BASE}\nobjectClass: top\nobjectClass: dcObject\nobjectClass: organization\n\
         o: Example\ndc: example\n\n\
         dn: ou=people,{BASE}\nobjectClass: organizationalUnit\nou: people\n"
    );
    for (uid, cn, sn, mail) in PEOPLE {
        ldif.push_str(&format!(
            "\ndn: uid={},ou=people,{BASE}\nobjectClass: inetOrgPerson\nuid: {uid}\n\
             cn: {cn}\nsn: {sn}\nmail: {mail}\n",
            dn_escape(uid)
        ));
    }
    ldif
}

/// Escapes the characters RFC 4514 reserves in a DN value.
fn dn_escape(value: &str) -> String {
    value
        .chars()
        .flat_map(|c| match c {
            ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=' => vec!['\\', c],
            _ => vec![c],
        })
        .collect()
}

fn program(name: &str) -> Result<Command> {
    install::find_program(name)
        .map(Command::new)
        .ok_or_else(|| Error::service("slapd", format!("`{name}` not found")))
}

impl Service for Slapd {
    fn name(&self) -> &'static str {
        "slapd"
    }

    fn kind(&self) -> &'static str {
        "slapd"
    }

    fn packages(&self) -> &'static [&'static str] {
        &["slapd", "ldap-utils"]
    }

    fn installed(&self) -> bool {
        ["slapd", "slapadd", "ldapsearch"]
            .iter()
            .all(|p| install::find_program(p).is_some())
    }

    fn start(&self, slot: &Slot) -> Result<Launched> {
        let data_dir = slot.dir.join("data");
        fs::create_dir_all(&data_dir)?;
        let conf = slot.dir.join("slapd.conf");
        fs::write(&conf, config(&slot.dir, &data_dir))?;
        let ldif = slot.dir.join("seed.ldif");
        fs::write(&ldif, seed())?;
        cmd::output(
            program("slapadd")?
                .arg("-f")
                .arg(&conf)
                .arg("-l")
                .arg(&ldif),
        )?;
        let pid = slot.spawn(
            program("slapd")?
                .arg("-f")
                .arg(&conf)
                .arg("-h")
                .arg(format!("ldap://127.0.0.1:{}/", slot.port))
                // `-d` keeps slapd in the foreground, so the recorded pid is the server's.
                .args(["-d", "0"]),
        )?;
        Ok(Launched { pid, data_dir })
    }

    fn ready(&self, instance: &Instance) -> bool {
        program("ldapsearch").is_ok_and(|mut command| {
            cmd::succeeds(
                command
                    .args(["-x", "-H", &self.admin_url(instance.port)])
                    .args(["-D", BIND_DN, "-w", PASSWORD, "-b", BASE, "-s", "base"]),
            )
        })
    }

    fn admin_url(&self, port: u16) -> String {
        format!("ldap://127.0.0.1:{port}")
    }

    fn test_env(&self, instance: &Instance) -> Vec<(String, String)> {
        vec![
            ("SYNCLINE_TEST_LDAP_URL".into(), instance.admin_url.clone()),
            ("SYNCLINE_TEST_LDAP_BASE".into(), BASE.into()),
            ("SYNCLINE_TEST_LDAP_BIND_DN".into(), BIND_DN.into()),
            ("SYNCLINE_TEST_LDAP_PASSWORD".into(), PASSWORD.into()),
        ]
    }
}
