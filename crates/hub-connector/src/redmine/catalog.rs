//! What Redmine's issues refer to by id — trackers, statuses, priorities, time entry
//! activities, custom fields, users, and per project its categories and versions — loaded once
//! and kept, so that mapping an issue costs no further request.
//!
//! Administrators rarely change these; when a name or id is not found the caller reloads once
//! ([`Catalogs::refresh`]) before calling the value invalid.

use std::collections::BTreeMap;
use std::sync::Arc;

use hub_domain::model::PersonRef;
use serde_json::Value;
use tokio::sync::Mutex;

use super::client::Client;
use super::errors;
use crate::connector::Result;
use crate::error::ErrorClass;

/// Something Redmine names by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    /// Redmine's id.
    pub id: u64,
    /// Its name.
    pub name: String,
}

/// A tracker and the standard fields it enables.
#[derive(Debug, Clone)]
pub struct Tracker {
    /// Id and name.
    pub named: Named,
    /// `assigned_to_id`, `due_date`, … (Redmine's names).
    pub enabled_fields: Vec<String>,
}

/// An issue custom field.
#[derive(Debug, Clone)]
pub struct CustomField {
    /// Id and name.
    pub named: Named,
    /// `string`, `text`, `int`, `float`, `date`, `bool`, `list`, `user`, `version`, `link`, …
    pub format: String,
    /// Holds several values.
    pub multiple: bool,
    /// Must be set.
    pub required: bool,
    /// Options of `list` fields.
    pub options: Vec<String>,
    /// Ids of the trackers it applies to.
    pub trackers: Vec<u64>,
}

/// Instance-wide lists.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// Trackers.
    pub trackers: Vec<Tracker>,
    /// Issue statuses with their "closed" flag.
    pub statuses: Vec<(Named, bool)>,
    /// Issue priorities.
    pub priorities: Vec<Named>,
    /// Active time entry activities (system-wide) with their "default" flag.
    pub time_entry_activities: Vec<(Named, bool)>,
    /// Issue custom fields (empty when the key may not list them).
    pub custom_fields: Vec<CustomField>,
    /// Users by id.
    pub users: BTreeMap<u64, PersonRef>,
}

/// One project's lists.
#[derive(Debug, Clone)]
pub struct ProjectInfo {
    /// Id and name.
    pub named: Named,
    /// The identifier (the project's key).
    pub identifier: String,
    /// Ids of the trackers enabled in the project.
    pub trackers: Vec<u64>,
    /// Issue categories.
    pub categories: Vec<Named>,
    /// Versions (shared ones included).
    pub versions: Vec<Named>,
}

impl Catalog {
    /// The tracker called `name`.
    pub fn tracker(&self, name: &str) -> Option<&Tracker> {
        self.trackers.iter().find(|t| t.named.name == name)
    }

    /// The tracker with id `id`.
    pub fn tracker_by_id(&self, id: u64) -> Option<&Tracker> {
        self.trackers.iter().find(|t| t.named.id == id)
    }

    /// The custom field called `name`.
    pub fn custom_field_named(&self, name: &str) -> Option<&CustomField> {
        self.custom_fields.iter().find(|f| f.named.name == name)
    }

    /// The custom field with id `id`.
    pub fn custom_field(&self, id: u64) -> Option<&CustomField> {
        self.custom_fields.iter().find(|f| f.named.id == id)
    }
}

/// The cached catalog and project lists of one connector.
#[derive(Debug, Default)]
pub struct Catalogs {
    catalog: Mutex<Option<Arc<Catalog>>>,
    projects: Mutex<BTreeMap<String, Arc<ProjectInfo>>>,
}

impl Catalogs {
    /// The catalog, loaded on first use.
    pub async fn get(&self, client: &Client) -> Result<Arc<Catalog>> {
        let mut slot = self.catalog.lock().await;
        if let Some(catalog) = slot.as_ref() {
            return Ok(catalog.clone());
        }
        let catalog = Arc::new(load_catalog(client).await?);
        *slot = Some(catalog.clone());
        Ok(catalog)
    }

    /// A project's lists by identifier or numeric id, loaded on first use.
    pub async fn project(&self, client: &Client, key: &str) -> Result<Arc<ProjectInfo>> {
        let mut projects = self.projects.lock().await;
        if let Some(info) = projects.get(key) {
            return Ok(info.clone());
        }
        let info = Arc::new(load_project(client, key).await?);
        projects.insert(key.to_owned(), info.clone());
        projects.insert(info.identifier.clone(), info.clone());
        projects.insert(info.named.id.to_string(), info.clone());
        Ok(info)
    }

    /// Forgets everything, so the next call reloads.
    pub async fn refresh(&self) {
        *self.catalog.lock().await = None;
        self.projects.lock().await.clear();
    }
}

async fn load_catalog(client: &Client) -> Result<Catalog> {
    // Redmine serves public projects to anyone and treats a wrong key as no key: asking who
    // we are first turns a refused key into an error instead of a quietly anonymous view.
    client.get("users/current.json", &[]).await?;
    let trackers = client.get("trackers.json", &[]).await?;
    let statuses = client.get("issue_statuses.json", &[]).await?;
    let priorities = client
        .get("enumerations/issue_priorities.json", &[])
        .await?;
    let activities = match client
        .get("enumerations/time_entry_activities.json", &[])
        .await
    {
        Ok(activities) => activities,
        // A Redmine that hides them can still list and log time with its default activity.
        Err(e) if matches!(e.class, ErrorClass::Auth | ErrorClass::NotFound) => Value::Null,
        Err(e) => return Err(e),
    };
    Ok(Catalog {
        trackers: list(&trackers, "trackers")
            .iter()
            .filter_map(|t| {
                Some(Tracker {
                    named: named(t)?,
                    enabled_fields: strings(&t["enabled_standard_fields"]),
                })
            })
            .collect(),
        statuses: list(&statuses, "issue_statuses")
            .iter()
            .filter_map(|s| Some((named(s)?, s["is_closed"].as_bool().unwrap_or(false))))
            .collect(),
        priorities: list(&priorities, "issue_priorities")
            .iter()
            .filter(|p| p["active"].as_bool() != Some(false))
            .filter_map(named)
            .collect(),
        time_entry_activities: list(&activities, "time_entry_activities")
            .iter()
            .filter(|a| a["active"].as_bool() != Some(false))
            .filter_map(|a| Some((named(a)?, a["is_default"].as_bool().unwrap_or(false))))
            .collect(),
        custom_fields: load_custom_fields(client).await?,
        users: load_users(client).await?,
    })
}

/// Issue custom fields; listing them needs administrator rights, without which there are none.
async fn load_custom_fields(client: &Client) -> Result<Vec<CustomField>> {
    let all = match client.get("custom_fields.json", &[]).await {
        Ok(all) => all,
        Err(e) if e.class == ErrorClass::Auth => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    Ok(list(&all, "custom_fields")
        .iter()
        .filter(|f| f["customized_type"] == "issue")
        .filter_map(|f| {
            Some(CustomField {
                named: named(f)?,
                format: f["field_format"].as_str().unwrap_or("string").to_owned(),
                multiple: f["multiple"].as_bool().unwrap_or(false),
                required: f["is_required"].as_bool().unwrap_or(false),
                options: list(f, "possible_values")
                    .iter()
                    .filter_map(|v| v["value"].as_str().map(str::to_owned))
                    .collect(),
                trackers: list(f, "trackers")
                    .iter()
                    .filter_map(|t| t["id"].as_u64())
                    .collect(),
            })
        })
        .collect())
}

/// Every user, with login and e-mail when the key may list users; else the members of the
/// visible projects, with names only.
async fn load_users(client: &Client) -> Result<BTreeMap<u64, PersonRef>> {
    let mut users = BTreeMap::new();
    let mut offset = 0;
    loop {
        let query = [
            ("limit", "100".to_owned()),
            ("offset", offset.to_string()),
            ("status", String::new()),
        ];
        let page = match client.get("users.json", &query).await {
            Ok(page) => page,
            Err(e) if e.class == ErrorClass::Auth => return load_members(client).await,
            Err(e) => return Err(e),
        };
        let batch = list(&page, "users");
        for user in batch {
            if let Some(person) = user_person(user) {
                users.insert(user["id"].as_u64().unwrap_or_default(), person);
            }
        }
        offset += batch.len();
        if batch.is_empty() || offset as u64 >= page["total_count"].as_u64().unwrap_or(0) {
            return Ok(users);
        }
    }
}

async fn load_members(client: &Client) -> Result<BTreeMap<u64, PersonRef>> {
    let mut users = BTreeMap::new();
    let projects = client
        .get("projects.json", &[("limit", "100".into())])
        .await?;
    for project in list(&projects, "projects") {
        let Some(id) = project["id"].as_u64() else {
            continue;
        };
        let path = format!("projects/{id}/memberships.json");
        let members = client.get(&path, &[("limit", "100".into())]).await?;
        for member in list(&members, "memberships") {
            let user = &member["user"];
            if let (Some(id), Some(name)) = (user["id"].as_u64(), user["name"].as_str()) {
                users.insert(
                    id,
                    PersonRef {
                        id: id.to_string(),
                        username: None,
                        email: None,
                        display_name: Some(name.to_owned()),
                    },
                );
            }
        }
    }
    Ok(users)
}

/// A user of `users.json` as a person.
pub fn user_person(user: &Value) -> Option<PersonRef> {
    let id = user["id"].as_u64()?;
    let first = user["firstname"].as_str().unwrap_or_default();
    let last = user["lastname"].as_str().unwrap_or_default();
    let name = format!("{first} {last}").trim().to_owned();
    Some(PersonRef {
        id: id.to_string(),
        username: user["login"].as_str().map(str::to_owned),
        email: user["mail"].as_str().map(str::to_owned),
        display_name: (!name.is_empty()).then_some(name),
    })
}

async fn load_project(client: &Client, key: &str) -> Result<ProjectInfo> {
    let path = format!("projects/{key}.json");
    let project = client
        .get(&path, &[("include", "trackers,issue_categories".into())])
        .await?;
    let project = &project["project"];
    let versions = client
        .get(&format!("projects/{key}/versions.json"), &[])
        .await?;
    Ok(ProjectInfo {
        named: named(project).ok_or_else(|| errors::unexpected(&path, project))?,
        identifier: project["identifier"].as_str().unwrap_or(key).to_owned(),
        trackers: list(project, "trackers")
            .iter()
            .filter_map(|t| t["id"].as_u64())
            .collect(),
        categories: list(project, "issue_categories")
            .iter()
            .filter_map(named)
            .collect(),
        versions: list(&versions, "versions")
            .iter()
            .filter_map(named)
            .collect(),
    })
}

/// `value[key]` as a slice of values (empty when absent).
pub fn list<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    value[key].as_array().map_or(&[], Vec::as_slice)
}

/// `{"id": …, "name": …}`.
pub fn named(value: &Value) -> Option<Named> {
    Some(Named {
        id: value["id"].as_u64()?,
        name: value["name"].as_str()?.to_owned(),
    })
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}
