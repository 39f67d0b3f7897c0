//! The re-built error catalogue: one entry per code of the commercial hub, numbering and
//! severity kept, all wording our own.

use super::{CatalogueEntry, ErrorCode, Severity};

pub(super) static ENTRIES: &[CatalogueEntry] = &[
    CatalogueEntry {
        code: ErrorCode {
            number: 1,
            severity: Severity::Error,
        },
        message: "Something unexpected went wrong.",
        description: "The hub hit an error for which it has no more specific code.",
        user_action: "Use the detailed message shown with this error to find and fix the cause.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 2,
            severity: Severity::Error,
        },
        message: "Too many errors: the error limit has been reached.",
        description: "The hub records only a fixed number of errors. Once that limit is reached, any further errors are dropped without being recorded.",
        user_action: "1. Open the errors page. 2. Work through the listed errors and resolve them so that new errors can be recorded again.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 3,
            severity: Severity::Error,
        },
        message: "The hub ran out of memory.",
        description: "No memory was left for the hub to work with, so its services were stopped.",
        user_action: "1. Give the hub more memory (the installation documentation explains how). 2. Restart the hub.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 5,
            severity: Severity::Error,
        },
        message: "An artifact association conflicts with one that already exists.",
        description: "An artifact association could not be imported because an association already present in the hub clashes with it.",
        user_action: "Ask support for help with resolving the conflicting association.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 6,
            severity: Severity::Warning,
        },
        message: "The data migration for the upgrade was cancelled.",
        description: "A data migration that the new version of the hub needs was interrupted, either by a change to the configuration or by the hub shutting down.",
        user_action: "Nothing to do: the migration picks up again on its own.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 6,
            severity: Severity::Error,
        },
        message: "The migration cannot finish while errors for disabled repositories remain.",
        description: "The migration is blocked by outstanding errors that belong to repositories which are currently disabled.",
        user_action: "Either 1. open the Activity page and delete every error that belongs to the repository named in the message, or 2. go to the Repositories page and enable that repository.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 1000,
            severity: Severity::Error,
        },
        message: "The repository could not be reached.",
        description: "A network failure occurred while the hub was trying to talk to a repository.",
        user_action: "1. Check the network path between the hub and the repository. 2. Try the connection again later. If it keeps failing, ask your network administrator for help.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 1002,
            severity: Severity::Error,
        },
        message: "A connector failed unexpectedly.",
        description: "A connector raised an error that it did not anticipate.",
        user_action: "Use the detailed message shown with this error to find and fix the cause.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 1003,
            severity: Severity::Error,
        },
        message: "An operation failed while it was running.",
        description: "A connector operation raised an error part-way through its execution.",
        user_action: "Use the detailed message shown with this error to find and fix the cause.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 1004,
            severity: Severity::Error,
        },
        message: "Could not connect to the LDAP directory.",
        description: "An unexpected failure happened while the hub was opening a connection to an LDAP directory.",
        user_action: "Use the detailed message shown with this error to find and fix the cause.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 1005,
            severity: Severity::Error,
        },
        message: "Communication with the LDAP directory failed unexpectedly.",
        description: "An unexpected failure happened while the hub was exchanging data with an LDAP directory.",
        user_action: "Use the detailed message shown with this error to find and fix the cause.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 1104,
            severity: Severity::Warning,
        },
        message: "The repository connection's authentication has expired.",
        description: "The authenticated session that the hub holds for a repository connection is no longer valid.",
        user_action: "Usually nothing: such sessions expire from time to time and the hub authenticates again by itself. If the warning keeps coming back, check that the credentials configured for the repository are correct.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 1105,
            severity: Severity::Error,
        },
        message: "The project configuration is not valid.",
        description: "A project configuration no longer holds. The usual cause is a project or artifact type that was deleted or renamed in the repository; a change to the user's permissions in the repository can also cause it.",
        user_action: "1. Find the cause in the detailed message. 2. Open the repository collection or artifact union named in the error. 3. Fix the problem in the repository and click Refresh Projects, or 4. take the project out of that collection or union. 5. If the project was renamed, add it again under its new name. 6. Check that the related routing, filter and mapping settings are still valid and current.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 1107,
            severity: Severity::Error,
        },
        message: "Authentication failed, so no connection to the repository could be made.",
        description: "Something unexpected went wrong while the hub was authenticating with a repository.",
        user_action: "Use the detailed message shown with this error to find and fix the cause.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 1109,
            severity: Severity::Error,
        },
        message: "The project configuration is out of date.",
        description: "A project configuration held by the hub no longer matches the repository.",
        user_action: "1. Find the out-of-date project in the detailed message. 2. Take it out of the collection or artifact union that contains it. 3. Choose Manage Projects and click Refresh. 4. Add the project again.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 1110,
            severity: Severity::Error,
        },
        message: "A project of the repository collection cannot be found.",
        description: "The repository collection's configuration no longer holds. Most often a project or artifact type was deleted or renamed in the repository, though a change to the user's permissions in the repository can also cause it.",
        user_action: "1. Open the configuration page of the affected repository collection. 2. If the project was deleted, remove it from the collection. 3. If the project was moved, click Manage Invalid Projects and pick the project that replaces it. 4. Check that the related routing, filter and mapping settings are still valid and current.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 1111,
            severity: Severity::Error,
        },
        message: "The repository collection contains the same project more than once.",
        description: "The top-level container type of the collection (the kind of container chosen under Manage Projects) has changed.",
        user_action: "Before resolving this: 1. Write down the current artifact routing of every integration that uses this collection, because it has to be set up again afterwards. 2. Open the collection and look at what is now selected under Manage Projects to understand the change; nothing needs changing there. Once the issue is resolved, artifact routing is removed from the affected integrations and must be reconfigured by hand.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 1112,
            severity: Severity::Error,
        },
        message: "The artifact is locked.",
        description: "Another user or process holds a lock on the artifact.",
        user_action: "The detailed message names the locked artifact. Make sure no other user or process is working on it, then retry the operation.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 1113,
            severity: Severity::Error,
        },
        message: "The connection to the repository was refused because it is not secure.",
        description: "The hub did not open the repository connection because the connection would not be secure.",
        user_action: "Either fix the cause given in the detailed message, or open the repository's settings and allow insecure connections.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 1114,
            severity: Severity::Error,
        },
        message: "The artifact union configuration is not valid.",
        description: "Something in the artifact union's configuration does not hold.",
        user_action: "1. Open the artifact union configuration screen. 2. Fix the configuration as the detailed message describes.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 1115,
            severity: Severity::Info,
        },
        message: "Event processing for this repository may be slowed down by its event rate limit.",
        description: "The event rate limit configured for this repository is low enough that processing of its events may fall behind.",
        user_action: "Either 1. adjust the change detection interval of every integration that uses this repository, or 2. raise the repository's event rate limit on its connection screen.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 1116,
            severity: Severity::Error,
        },
        message: "The hub could not build the repository query.",
        description: "The hub failed to set up the query it runs against the repository.",
        user_action: "1. Check that the query still exists in the repository and has not been renamed. 2. Check that the repository user is allowed to access the query.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 1401,
            severity: Severity::Error,
        },
        message: "The integration needs at least one route.",
        description: "An integration without any route cannot run.",
        user_action: "1. Open the integration's routing page. 2. Add one or more routes.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 1402,
            severity: Severity::Error,
        },
        message: "The integration does not satisfy the constraints of its style.",
        description: "Every integration style imposes constraints that its integrations must meet, and this integration breaks some of them. Integrations built in the user interface should never hit this; the detailed message lists the invalid parts.",
        user_action: "1. Open the integration page. 2. Change the configuration until it is valid, as the detailed messages describe. 3. If the integration was built in the web interface, consider reporting this to support.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 1403,
            severity: Severity::Error,
        },
        message: "All collections of the integration must use the same model.",
        description: "The collections in an integration are attached to different models; they must all share one.",
        user_action: "1. Decide which model the integration should use. 2. Open the integration and find the collections that use another model. 3. Either remove those collections from the integration, or 4. map each of them to the right model.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 1404,
            severity: Severity::Error,
        },
        message: "The collection is not mapped to a model.",
        description: "A repository collection that takes part in an integration needs a mapping to a model.",
        user_action: "1. Open the collection. 2. Choose a model to create the mapping.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 1405,
            severity: Severity::Error,
        },
        message: "The integration has no source collection.",
        description: "Every integration needs a collection that acts as its source.",
        user_action: "1. Open the integration. 2. Add a collection as the source.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 1406,
            severity: Severity::Error,
        },
        message: "The integration has no target collection.",
        description: "Every integration needs a collection that acts as its target.",
        user_action: "1. Open the integration. 2. Add a collection as the target.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 1408,
            severity: Severity::Error,
        },
        message: "The integration could not find the artifact to update.",
        description: "The integration could not locate the artifact it was meant to change. Possible causes are a missing or invalid formatted ID on the source artifact, or no target collection holding an artifact with that formatted ID; the detailed message says which part of the lookup failed.",
        user_action: "1. Open the integration page. 2. On the field flow page, check that the key field is set up correctly. 3. Check the data on the source artifact. 4. Make sure a target collection contains the matching artifact.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 1409,
            severity: Severity::Error,
        },
        message: "The integration's filter is not valid.",
        description: "The filter that the integration uses is no longer valid.",
        user_action: "1. Open the integration filter that is in error. 2. Fix every error shown in the filter.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 1410,
            severity: Severity::Error,
        },
        message: "The integration has no key identifier.",
        description: "An integration needs a key identifier for its collections. The key identifier names the field of the source model that holds the formatted ID of the target artifact, which is how artifacts are found in the target collection.",
        user_action: "1. Open the integration page. 2. Select the pair of collections that lacks a key identifier. 3. On the field flow page, set a key identifier.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 1411,
            severity: Severity::Error,
        },
        message: "Some of the integration's routes are not configured.",
        description: "Every route that an integration declares must be configured.",
        user_action: "1. Open the integration's routing page. 2. Configure every route that still needs it.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 1412,
            severity: Severity::Error,
        },
        message: "A conditional route of the integration is configured incorrectly.",
        description: "The integration's conditional routing configuration is no longer valid.",
        user_action: "1. Open the integration route that is in error. 2. Fix every error shown in the routing configuration.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 1413,
            severity: Severity::Error,
        },
        message: "The collection's repository query is not valid.",
        description: "The repository query that the collection uses is no longer valid.",
        user_action: "1. Open the collection. 2. Choose a different repository query.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 1414,
            severity: Severity::Info,
        },
        message: "The hub is refreshing the operational data of this integration.",
        description: "The hub is in the middle of updating the operational data it keeps for an integration.",
        user_action: "Wait until the update finishes.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 1415,
            severity: Severity::Error,
        },
        message: "The routing configuration is not valid.",
        description: "The integration's artifact routing is invalid: one of its route endpoints has disappeared or is not a valid routing destination, for example because a more specific endpoint is required.",
        user_action: "1. For each collection in the integration, check what is now selected under Manage Projects. 2. Reconfigure the artifact routing of each integration; the issue clears once the routing is valid.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 1416,
            severity: Severity::Error,
        },
        message: "The twinless artifact update configuration is not valid.",
        description: "The integration's settings for updating artifacts that have no twin are invalid.",
        user_action: "1. Open the integration's twinless update configuration. 2. Fix it as the detailed message describes.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 10004,
            severity: Severity::Error,
        },
        message: "An enterprise data stream integration needs exactly one SQL collection as its target.",
        description: "An enterprise data stream integration must point at one, and only one, SQL collection.",
        user_action: "Choose a single SQL collection as the target of the integration in error.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 10005,
            severity: Severity::Error,
        },
        message: "An enterprise data stream integration needs a source collection.",
        description: "An enterprise data stream integration must name at least one collection from which it takes artifacts.",
        user_action: "Choose a source collection for the integration in error.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 10006,
            severity: Severity::Error,
        },
        message: "The target collection of an enterprise data stream integration lacks a suitable mapping.",
        description: "The data collection of an enterprise data stream integration must be mapped to a model, namely the model you want to report on.",
        user_action: "Map the collection that the integration uses: 1. open the collection, 2. add a mapping to a model.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 10007,
            severity: Severity::Error,
        },
        message: "A source collection of an enterprise data stream integration uses the wrong model.",
        description: "Every source collection of an enterprise data stream integration has to share the model of the integration's target collection.",
        user_action: "1. Open the integration. 2. See which model its target collection uses. 3. Open the source collection in error and make its model match: for a repository collection, add a mapping to that model; for a gateway collection, set its model to that model.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 10008,
            severity: Severity::Error,
        },
        message: "The target collection of an enterprise data stream integration must hold a single project.",
        description: "The collection of an enterprise data stream integration must contain one project, and only one.",
        user_action: "1. Open the collection. 2. Make sure it has exactly one project, the one that matches the database table.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 10009,
            severity: Severity::Error,
        },
        message: "A column required by the enterprise data stream integration is missing.",
        description: "The database table behind an enterprise data stream SQL collection lacks a required column.",
        user_action: "Add the missing column to the database table; the error message gives the column's id.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 15002,
            severity: Severity::Error,
        },
        message: "Integration services cannot start because of a license problem.",
        description: "The hub's integration services will not start because of the license. Causes include running without a license, using features the installed license does not cover, and a license that is invalid or has expired.",
        user_action: "Install a valid license: 1. Get a valid license from support. 2. Open the settings page. 3. Under License, click Apply New License. 4. Paste the license text and save.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 15005,
            severity: Severity::Error,
        },
        message: "The repository cannot be used because of a license problem.",
        description: "The license does not allow connections to repositories of this type, so this repository connection cannot be used.",
        user_action: "Install a valid license: 1. Get a valid license from support. 2. Open the settings page. 3. Under License, click Edit. 4. Paste the license text and save.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 15012,
            severity: Severity::Error,
        },
        message: "Conditional field flow is not covered by the license.",
        description: "The integration uses conditional field flow, which the license does not enable, so the integration cannot be used.",
        user_action: "Either drop conditional field flow from the integration, or get a license from support that includes conditional field flow and install it.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 15013,
            severity: Severity::Error,
        },
        message: "Artifact unions are not covered by the license.",
        description: "The collection has mappings that use fields of an artifact union, which the license does not enable, so the collection cannot be used.",
        user_action: "Either remove from the collection the mappings that use artifact union fields, or get a license from support that includes artifact unions and install it.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 16001,
            severity: Severity::Error,
        },
        message: "Services cannot start until the hub's security has been set up.",
        description: "Secure password storage has not been set up yet, so the hub's integration services cannot start.",
        user_action: "1. Open the Settings page. 2. Under Secure Password Storage, set the master password.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 16002,
            severity: Severity::Warning,
        },
        message: "Restarting the hub's services is taking longer than expected.",
        description: "The hub's services have not finished restarting within the usual time.",
        user_action: "Wait: the issue goes away by itself once the services are back. If it is still present after 30 minutes, contact support. Do not restart the hub unless support advises it.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 17001,
            severity: Severity::Error,
        },
        message: "The mapping does not fit the current context and cannot be applied.",
        description: "The mapping cannot be used because it is not valid for the artifacts involved.",
        user_action: "1. Find the cause in the detailed message. 2. Either change the mapping to suit the artifacts and model in use, or 3. change the artifact schema to suit the mapping, for instance by changing a field's type.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 17002,
            severity: Severity::Error,
        },
        message: "The collection's model mapping is not valid.",
        description: "The collection's schema, the model's schema and the mapping between them do not agree.",
        user_action: "1. Find the cause in the detailed message. 2. Open the mapping. 3. Change the mapping to suit the collection and model in use, or 4. change the collection's artifact schema to suit the mapping, for instance by changing a field's type, or 5. change the model to suit the mapping, for instance by adding a field or changing a field's type.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 17003,
            severity: Severity::Error,
        },
        message: "Some values were refused, so the artifact was neither created nor updated.",
        description: "Creating or updating an artifact failed because some of its values are not valid. The detailed message gives the specifics.",
        user_action: "1. Find the fields and values in error in the detailed message. 2. Fix the source data in one of these ways: change the source artifact; change the mapping; change the target system so that it accepts the data; or supply a new artifact through a gateway collection.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 17004,
            severity: Severity::Warning,
        },
        message: "The artifact is busy and cannot be processed right now.",
        description: "The hub tried to process changes to the same artifact at the same time. This is a passing condition.",
        user_action: "None; the condition clears by itself.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 17005,
            severity: Severity::Error,
        },
        message: "The field flow is not valid.",
        description: "The field flow configuration does not agree with the model's schema.",
        user_action: "1. Find the cause in the detailed message. 2. Open the integration. 3. Select the collection pair. 4. Open the field flow. 5. Change the field flow to suit the model in use, or 6. change the model to suit the field flow, for instance by adding a field.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 17006,
            severity: Severity::Error,
        },
        message: "The artifact was created, but some of its values could not be set.",
        description: "An integration created an artifact but failed to set some of its values, so some fields of the new artifact may be wrong.",
        user_action: "1. Find the cause in the detailed message. 2. Either retry the activity, or 3. inspect the new artifact and correct its values by hand where needed.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 17007,
            severity: Severity::Error,
        },
        message: "The conflict resolution strategy is not valid.",
        description: "The integration's conflict resolution strategy is not configured correctly.",
        user_action: "1. From the integration, open the conflict resolution strategy. 2. Choose one of its options.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 17008,
            severity: Severity::Error,
        },
        message: "The artifact matches none of the conditions set on the Conditional Artifact Routing page.",
        description: "The artifact was not processed because it satisfies none of the conditions configured for conditional artifact routing.",
        user_action: "Do one of the following: change the conditions on the Conditional Artifact Routing page so that the artifact's field value is covered; change the artifact's fields so that it meets one of the conditions; or set the handling of unmatched artifacts on that page to Ignore or Default Route rather than Error.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 17009,
            severity: Severity::Error,
        },
        message: "The state transition is not valid.",
        description: "An extension supplied invalid values while trying to move an artifact to another state.",
        user_action: "1. Find the extension that supplied the invalid values. 2. Find the fields and values in error in the detailed message. 3. Change the extension so that it produces a valid transition.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 17010,
            severity: Severity::Error,
        },
        message: "The same state transition was requested more than once.",
        description: "An extension tried to apply the same transition to an artifact several times.",
        user_action: "1. Find the extension named in the error message. 2. Change it so that it no longer repeats the same kind of transition for an artifact.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 17011,
            severity: Severity::Error,
        },
        message: "An extension finished with an error.",
        description: "An extension ended in an error, either on purpose (for example to signal that a business rule was not met) or because of a fault in the extension itself. The detailed message gives the specifics.",
        user_action: "1. Find the cause in the detailed message. 2. Either change the extension so that the error no longer occurs, or 3. change the source or target artifact so that it meets the condition that raised the error.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 17013,
            severity: Severity::Error,
        },
        message: "The state transition needs model fields to be selected.",
        description: "A collection has a state transition extension configured but no model fields selected for it.",
        user_action: "Either select model fields for the state transition or turn the state transition off. To select fields: 1. open the collection, 2. follow the Configure State Transition link, 3. list the required model fields under State Transition Fields. To turn it off: 1. open the collection, 2. follow the Configure State Transition link, 3. set State Transition to None.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 17014,
            severity: Severity::Error,
        },
        message: "Synchronization could not resolve some links to related artifacts.",
        description: "Linked artifacts were synchronized out of order: artifact A links to artifact B, but B has no copy in the target repository yet, so the copy of A cannot link to it. The link is normally added by itself once the copy of B exists.",
        user_action: "Either wait for the error to clear on its own, or delete the link that cannot be resolved from the artifact being synchronized.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 17015,
            severity: Severity::Error,
        },
        message: "Synchronization could not resolve some links to related artifacts.",
        description: "Artifact A links to artifact B, but B has more than one copy in the target repository, so the link cannot be resolved. Separate synchronization integrations that each copy B into the target repository can cause this.",
        user_action: "Do one of the following: remove the link from A to B; on the Activity page, use the Artifact Pairs tab to delete invalid or stale associations that involve B; or remove the synchronization integrations that affect B and are not needed.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 17016,
            severity: Severity::Error,
        },
        message: "Creating the artifact failed unexpectedly.",
        description: "Something unexpected went wrong while the artifact was being created; it may or may not exist now.",
        user_action: "1. Do not retry the event unless support tells you to. 2. Contact support for help.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 17017,
            severity: Severity::Error,
        },
        message: "The repository cannot create artifacts.",
        description: "This repository does not support creating artifacts.",
        user_action: "1. Open the integration concerned. 2. Turn off artifact creation flowing into the collection named in the error. 3. Remove every route that flows into that collection.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 17018,
            severity: Severity::Error,
        },
        message: "The model lacks fields that the state transition needs.",
        description: "A collection has a state transition extension that requires fields the model does not have.",
        user_action: "Either remove the missing fields from the state transition configuration, or add them to the model. To extend the model: 1. open it, 2. create the missing fields. To change the fields the state transition requires: 1. open the collection, 2. follow the Edit State Transition link, 3. change the list of model fields.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 17019,
            severity: Severity::Error,
        },
        message: "The target collection partition could not be determined during synchronization.",
        description: "The work item could not be synchronized because its route is missing or invalid.",
        user_action: "1. Find which container holds the artifact in the repository, and make sure that container or one of its ancestors belongs to a mirrored container structure; or 2. make sure the work item integration has a route for the container the artifact comes from; or 3. make sure the target container still exists. If it was deleted, re-create it from the Errors screen using the error raised for it; if no such error is listed, edit the counterpart container that still exists in the other collection so that one is raised.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 17020,
            severity: Severity::Error,
        },
        message: "The matching target container could not be found during synchronization.",
        description: "The artifact was not synchronized because its target container was not found.",
        user_action: "Nothing to do: synchronization recovers by itself once the containers have been synchronized.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 17021,
            severity: Severity::Error,
        },
        message: "A state transition failed.",
        description: "The hub tried to move an artifact to another state and an error occurred, so the artifact may now be in the wrong state.",
        user_action: "Either deal with the cause given in the detailed message, or turn off or reconfigure the collection's state transition. If the detailed message gives a cause, check the state of the target artifact and correct its values by hand where needed. To turn off or reconfigure state transitions: 1. open the collection, 2. follow the Configure State Transition link, 3. adjust the state transitions concerned.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 17022,
            severity: Severity::Error,
        },
        message: "The matching container could not be found.",
        description: "No container could be found that corresponds to the parent container of this artifact.",
        user_action: "If the parent container is used in a route, change the routing to use a container that exists. If an integration keeps the parent container in sync, make a change to the parent container so that it produces an event, then use the Recreate Artifact action.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 17023,
            severity: Severity::Error,
        },
        message: "Artifact pairs can only be imported while their integration is running.",
        description: "Importing artifact pairs succeeds only while the integration they belong to is running.",
        user_action: "Start the integration that the artifact pair file belongs to.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 17024,
            severity: Severity::Error,
        },
        message: "The output of an extension could not be processed.",
        description: "Handling the result returned by an extension failed. The detailed message gives the specifics.",
        user_action: "1. Find the cause in the detailed message. 2. Either change the extension so that the error no longer occurs, or 3. change the source or target artifact so that it meets the condition that raised the error.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 17025,
            severity: Severity::Error,
        },
        message: "Field values need to be configured.",
        description: "The type of a field used by your integration changed, so its values have to be mapped again.",
        user_action: "1. Open the collection concerned (linked from the error). 2. Go to the Field Mapping screen. 3. Click Configure next to each field marked with a warning icon. 4. Map the values, then save. 5. Afterwards delete this issue; the integration stays disabled until you do.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 17026,
            severity: Severity::Error,
        },
        message: "The comment flow is not valid.",
        description: "The comment flow configuration no longer holds, for instance because the repository changed what it supports for comment visibility.",
        user_action: "1. From the integration, open the comment flow. 2. Set up the comment flow the way you want it.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 17027,
            severity: Severity::Error,
        },
        message: "A condition of the conditional field flow is not valid.",
        description: "The conditional field flow configuration is invalid; this happens when a field or value it uses cannot be found in the model schema.",
        user_action: "1. From the integration, open the field flow. 2. Change the conditional field flow so that every field and value in its conditions exists in the model concerned.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 17028,
            severity: Severity::Error,
        },
        message: "The mapping between test steps and their model is invalid.",
        description: "The mapping does not agree with the schema of the test steps or with the schema of their model.",
        user_action: "1. Find the cause in the detailed message. 2. Open the test step mapping. 3. Change the mapping to suit the collection and model in use, or 4. change the test step schema to suit the mapping, for instance by changing a field's type, or 5. change the test step model to suit the mapping, for instance by adding a field or changing a field's type.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 17029,
            severity: Severity::Error,
        },
        message: "The mapping between time entries and their model is invalid.",
        description: "The mapping does not agree with the schema of the time entries or with the schema of their model.",
        user_action: "1. Find the cause in the detailed message. 2. Open the time entry mapping. 3. Change the mapping to suit the collection and model in use, or 4. change the time entry schema to suit the mapping, for instance by changing a field's type, or 5. change the time entry model to suit the mapping, for instance by adding a field or changing a field's type.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 17030,
            severity: Severity::Warning,
        },
        message: "The configuration delta table is being migrated and cannot be used yet.",
        description: "Shortly after an upgrade, the table of configuration changes may still be migrating; asking for the list of changes before the migration ends gives this passing warning.",
        user_action: "None; the migration finishes by itself as a background job.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 17031,
            severity: Severity::Error,
        },
        message: "An imported configuration change could not be converted.",
        description: "An imported configuration change could not be turned into one that applies to this instance, because some elements it refers to are missing.",
        user_action: "Create the missing elements, then import the configuration change again.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 20000,
            severity: Severity::Error,
        },
        message: "No integration is receiving from the gateway collection.",
        description: "Data was sent to a gateway collection that no integration uses as a source, so the payload was lost.",
        user_action: "1. Make the gateway collection the source of an integration, or 2. have the external system stop sending data to it.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 20004,
            severity: Severity::Error,
        },
        message: "The relationship fields of the gateway collection must name their related repository.",
        description: "Each relationship field of a gateway collection must be tied to the repository that holds the artifacts it refers to.",
        user_action: "1. Open the gateway collection. 2. Find the Relationship Field Configuration section. 3. For each field, choose the repository that the relationship points to.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 20005,
            severity: Severity::Error,
        },
        message: "The gateway collection has no model.",
        description: "A gateway collection needs a model.",
        user_action: "1. Open the gateway collection. 2. Choose a model and save.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 20006,
            severity: Severity::Error,
        },
        message: "The license does not allow this gateway collection's payload transformation extension.",
        description: "A gateway collection is set up with a payload transformation extension, which the current license does not permit.",
        user_action: "Either delete the gateway collection concerned, or remove the payload transformation extension from it.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 20007,
            severity: Severity::Error,
        },
        message: "The gateway collection has no token.",
        description: "Every gateway collection requires a token.",
        user_action: "1. Open the gateway collection. 2. Create a token for it, then save.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 21001,
            severity: Severity::Error,
        },
        message: "Sending an email failed unexpectedly.",
        description: "An error occurred while the hub was trying to send an email.",
        user_action: "1. Check the email settings. 2. Use the detailed message to find and fix the cause.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 21002,
            severity: Severity::Error,
        },
        message: "The email server rejected the hub's credentials.",
        description: "The mail server refused the connection because authentication failed.",
        user_action: "1. Check the email settings, in particular the server's host name and port and the credentials used for it. 2. Use the detailed message to find and fix the cause.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 22001,
            severity: Severity::Error,
        },
        message: "Artifact associations referring to unknown artifact handles were found and removed during the upgrade.",
        description: "While upgrading the database, the hub found associations that point to records which do not exist. Those records were logged and deleted.",
        user_action: "Do not dismiss this error or run the integration concerned before talking to support.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 30000,
            severity: Severity::Error,
        },
        message: "An unexpected failure occurred.",
        description: "Something unexpected went wrong; the detailed message gives the specifics.",
        user_action: "Read the detailed message to see what failed. Fix the problem it describes if you can; otherwise ask your administrator for help.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 30001,
            severity: Severity::Error,
        },
        message: "The requested item does not exist.",
        description: "The item was not found because it no longer exists on the server.",
        user_action: "Check the item id you supplied; if it is wrong, correct it and try again.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 30002,
            severity: Severity::Error,
        },
        message: "The supplied data is not valid.",
        description: "The data sent was rejected as invalid; the detailed message gives the specifics.",
        user_action: "Fix the problem described in the detailed message and try again.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 30003,
            severity: Severity::Error,
        },
        message: "Unknown connector kind.",
        description: "No connector kind matches the one that was requested.",
        user_action: "Check that the connector kind is given correctly and try again.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 30004,
            severity: Severity::Error,
        },
        message: "The request body is not valid JSON.",
        description: "The entity sent with the request could not be read as JSON.",
        user_action: "Send the request payload as well-formed JSON and try again.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 30005,
            severity: Severity::Error,
        },
        message: "Secure password storage has to be initialized first.",
        description: "Secure password storage has not been set up yet.",
        user_action: "Set up secure password storage on the settings page.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 30006,
            severity: Severity::Error,
        },
        message: "Could not communicate with the {repository} repository.",
        description: "Connecting to the repository failed; the detailed message gives the specifics.",
        user_action: "Read the detailed message to see what failed. Fix the problem it describes if you can; otherwise ask your administrator for help.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 30007,
            severity: Severity::Error,
        },
        message: "The MIME attachment of the request could not be processed.",
        description: "The request's MIME attachment was not accepted, either because the request was malformed or because of an I/O failure. Too little disk space or no write permission on the hub's temporary directory can cause this.",
        user_action: "1. Check that the hub's temporary directory is usable: the hub must be allowed to write to it, and it must have enough free space. 2. Try again.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 30008,
            severity: Severity::Error,
        },
        message: "The hub has stopped; see the Activity view and the error log for details.",
        description: "Unrecoverable errors made the hub stop. The error log has more information.",
        user_action: "Fix the problem described in the detailed message, then restart the hub.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 30009,
            severity: Severity::Error,
        },
        message: "The database cannot be reached.",
        description: "The configuration database is not available.",
        user_action: "Make sure the configuration database is running and reachable, and that the hub's database settings are correct.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 30010,
            severity: Severity::Error,
        },
        message: "The connection settings are not valid.",
        description: "The connection settings supplied are invalid; the detailed message gives the specifics.",
        user_action: "Fix the problem described in the detailed message and try again.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 30011,
            severity: Severity::Error,
        },
        message: "The database is under a maintenance lock and is unavailable for now.",
        description: "Maintenance holds a lock on the configuration database, so it cannot be used.",
        user_action: "Wait until the maintenance has finished.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 30012,
            severity: Severity::Error,
        },
        message: "Another instance of the application is using the database.",
        description: "The configuration database is already in use by a different instance of the application.",
        user_action: "If this is the instance that should run, shut down every other hub instance that uses the same database and restart this one. Otherwise, shut this instance down.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 30013,
            severity: Severity::Error,
        },
        message: "Temporary failure communicating with the {repository} repository.",
        description: "Connecting to the repository failed for a reason that should pass; the detailed message gives the specifics.",
        user_action: "Try again. If it keeps failing, ask your administrator for help.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 30014,
            severity: Severity::Error,
        },
        message: "Could not communicate with the repository: insecure connections are not allowed.",
        description: "The hub did not open the repository connection because the connection would not be secure.",
        user_action: "Either fix the cause given in the detailed message, or open the repository's settings and allow insecure connections.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 30015,
            severity: Severity::Error,
        },
        message: "The deployment configuration is wrong.",
        description: "Settings that apply to this deployment are missing or wrong.",
        user_action: "Contact support.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 30016,
            severity: Severity::Error,
        },
        message: "The user is not authorized.",
        description: "A license restriction prevents the current user from being authorized.",
        user_action: "Contact the hub's administrator.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 30017,
            severity: Severity::Error,
        },
        message: "The license has expired.",
        description: "The current license has expired, so the hub's integration services cannot start.",
        user_action: "Install a valid license: get one from support, then apply it under License on the settings page.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 30018,
            severity: Severity::Error,
        },
        message: "No license is configured.",
        description: "No license has been set up, so the hub's integration services cannot start.",
        user_action: "Install a valid license: get one from support, then apply it under License on the settings page.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 30019,
            severity: Severity::Error,
        },
        message: "The application is still starting.",
        description: "The application cannot be used yet because it is still starting up.",
        user_action: "Wait until start-up completes.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 30020,
            severity: Severity::Error,
        },
        message: "The database connection settings could not be read.",
        description: "The hub cannot access the connection settings of its operational database.",
        user_action: "Check that the database connection settings file is well formed and that the account the hub runs as is allowed to read it.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 30021,
            severity: Severity::Error,
        },
        message: "The history page is unavailable until the required data migrations have finished.",
        description: "The history page cannot be shown until the data migrations it depends on are complete.",
        user_action: "Wait until the migrations finish.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 30022,
            severity: Severity::Warning,
        },
        message: "The repository connection is disabled.",
        description: "The repository connection stays disabled until someone enables it by hand.",
        user_action: "Either enable the repository connection on the Repository Connection page, or leave it disabled and ignore this warning.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 50001,
            severity: Severity::Error,
        },
        message: "The target artifact was removed, so changes to the artifact cannot be passed on.",
        description: "In a synchronization integration, changes to an artifact cannot reach its counterpart in the other repository because that counterpart has been removed.",
        user_action: "Do one of the following: use the Recreate Artifact action so that the hub re-creates the artifact deleted in the end system and pairs it with the artifact that still exists in the other repository, bringing the two back in sync; delete the associated artifact; move the associated artifact out of its collection so that it is no longer synchronized; or apply an artifact filter that the artifact does not meet, set to apply to updates, so that its updates are no longer synchronized.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 50002,
            severity: Severity::Error,
        },
        message: "A conflict occurred during synchronization.",
        description: "A field that flows in both directions has conflicting values in the two repositories. The conflict resolution strategy is Error Upon Conflict and neither value could be passed on without overwriting the other side's change, so synchronization of these artifacts stopped with an error.",
        user_action: "Do one of the following: change the conflict resolution strategy so that one repository wins conflicts; change the conflicting value by hand on at least one artifact so that the values no longer clash; or make the affected field flow in one direction only, which rules out conflicts.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 50005,
            severity: Severity::Error,
        },
        message: "A conflict occurred during synchronization.",
        description: "A conflict in artifact containment was found: the container was changed on both synchronized artifacts.",
        user_action: "Either move one or both artifacts back to their original container, or change the conflict resolution strategy so that one repository wins.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 50006,
            severity: Severity::Error,
        },
        message: "The artifact could not be updated: values for dependent single-select fields were not found.",
        description: "No new value could be found for a dependent field that did not itself change.",
        user_action: "Do one of the following: find in the error message the field that the failing field depends on, and add to the repository a value with the same label as the one given in the message; or set the field it depends on back to its original value; or remove the mapping of the field it depends on.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 50007,
            severity: Severity::Error,
        },
        message: "More than one matching container was found.",
        description: "Container matching found several candidate containers instead of one.",
        user_action: "Do one of the following: turn off container matching in the container mirroring configuration; rename containers so that only one matches; set container matching to take the first match; or change how container matching decides on a match.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 50008,
            severity: Severity::Error,
        },
        message: "The integration cannot start because a required relationship cannot be resolved.",
        description: "A required relationship field cannot be resolved, so the integration cannot be started.",
        user_action: "Either create an integration that synchronizes the artifacts the field refers to, or give the field a constant mapping.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 50009,
            severity: Severity::Error,
        },
        message: "The model of a time tracking integration needs a field of type Time Entries.",
        description: "A time tracking integration requires its model to include a field of type Time Entries.",
        user_action: "Either 1. open the model and 2. add a field of type Time Entries; or 1. create or choose another model that has such a field and 2. make every collection in the integration use that model.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 50010,
            severity: Severity::Error,
        },
        message: "A collection in a time tracking integration must map a field to the model's Time Entries field.",
        description: "Every collection used in a time tracking integration needs a field mapped to the model's Time Entries field.",
        user_action: "1. Open the collection's model mapping. 2. Add a mapping to the model's Time Entries field.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 50011,
            severity: Severity::Warning,
        },
        message: "The target collection of the time tracking integration cannot impersonate the Worker field.",
        description: "The chosen collection cannot log work on behalf of other users, which limits its use as a time tracking target: all worklogs are recorded under the user of the target repository connection.",
        user_action: "Nothing, if worklogs recorded under the connection's user are acceptable; otherwise use a target collection that supports impersonation.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 50012,
            severity: Severity::Error,
        },
        message: "A collection of the time tracking integration does not support time entry filtering.",
        description: "Time entry filtering is set up for a collection pair whose source collection cannot filter time entries.",
        user_action: "1. Open the integration. 2. Select the collection pair. 3. Open Time Entry Filtering. 4. Turn the filter off.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 50013,
            severity: Severity::Warning,
        },
        message: "The artifact cannot be created yet because other artifact creations are in progress.",
        description: "Other artifact creations that might conflict with this one are being processed, for instance when the hub creates artifacts on both sides of an integration at once. This is a passing condition.",
        user_action: "None; the condition clears by itself.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 50014,
            severity: Severity::Error,
        },
        message: "The test step flow configuration is not valid.",
        description: "Something in the test step flow configuration does not hold.",
        user_action: "1. Open the test step flow configuration screen. 2. Fix the flow configuration as the detailed message describes.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 50015,
            severity: Severity::Error,
        },
        message: "The routing of this container and work item integration is not valid.",
        description: "One side of this container and work item integration has several container collections of the same type while artifacts flow away from that side, which makes the artifact routing invalid.",
        user_action: "1. Reconfigure the artifact routing of each integration; the issue clears once the routing is valid. 2. Where one side has several container collections of the same type, route only toward that side. 3. Make sure artifacts do not flow in both directions.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 50016,
            severity: Severity::Error,
        },
        message: "The artifact matches none of the conditions set on the Shared Container Mirroring page.",
        description: "The artifact was not processed because it satisfies none of the conditions configured for shared container mirroring.",
        user_action: "Do one of the following: change the conditions on the Shared Container Mirroring page so that the artifact's field value is covered; change the artifact's fields so that it meets one of the conditions; or set the handling of unmatched artifacts on that page to Ignore or Default Type rather than Error.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 50017,
            severity: Severity::Error,
        },
        message: "Required field mappings are missing from the integration.",
        description: "A container and work item integration that uses shared container mirroring conditions needs the model field of each condition to be mapped in the associated collections.",
        user_action: "1. Open the associated collections. 2. Map the model field used in the shared container mirroring conditions, in both directions.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 50018,
            severity: Severity::Error,
        },
        message: "The artifact could not be processed because an artifact it depends on has not been synchronized.",
        description: "Processing this artifact has to wait for another artifact that has not been synchronized yet.",
        user_action: "Make sure the artifact named in the detailed message is part of the integration, then wait for it to be synchronized.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 50019,
            severity: Severity::Error,
        },
        message: "Container matching cannot be turned on while the parent field is mapped through an extension.",
        description: "Container matching and an extension-based mapping of the parent field cannot be used together.",
        user_action: "Either remove the extension from the parent field mapping in the collections concerned, or turn off container matching in the integration concerned.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 50020,
            severity: Severity::Error,
        },
        message: "Collections with more than one artifact type cannot take part in a container and work item synchronization.",
        description: "A container and work item synchronization only accepts collections that hold a single artifact type.",
        user_action: "1. Use a different collection in the integration, or 2. remove the artifact types that the collection does not need.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 60001,
            severity: Severity::Error,
        },
        message: "Password encryption could not be initialized.",
        description: "Secure password storage needs 256-bit AES encryption, and the runtime environment does not provide it.",
        user_action: "Make 256-bit AES available to the runtime; for a Java runtime, install the unlimited-strength cryptography policy files following the vendor's instructions. Alternatively, use the unencrypted level of password storage.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 61001,
            severity: Severity::Error,
        },
        message: "The connector's requirements are not met.",
        description: "Something that the connector needs is missing.",
        user_action: "Read the connector's own error message to see which requirements are missing. To supply third-party components such as a library or SDK: 1. open the Repositories screen, 2. select the repository whose requirements are missing, 3. supply the required files on its connection screen.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 61101,
            severity: Severity::Error,
        },
        message: "The repository rejected the connection credentials.",
        description: "Authentication failed while the hub was communicating with a repository.",
        user_action: "1. Check that the credentials configured for the repository are correct. If that does not help, make sure the user is allowed to create and edit artifacts in the target repository.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 61102,
            severity: Severity::Error,
        },
        message: "The HTTP proxy rejected the connection's proxy credentials.",
        description: "Authentication with the proxy server failed while the hub was communicating with a repository.",
        user_action: "1. Check that the proxy credentials configured for the repository are correct. If that does not help, ask your network administrator for help.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 61103,
            severity: Severity::Error,
        },
        message: "The repository connection settings are not valid.",
        description: "The repository's connection settings contain invalid values.",
        user_action: "1. Open the connection settings page of the repository in error. 2. Correct the settings. If that does not help, contact support.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 61104,
            severity: Severity::Error,
        },
        message: "The repository is under heavy load and the hub cannot communicate with it.",
        description: "The repository is too heavily loaded for the hub to communicate with it, usually because the number of API calls it accepts was exceeded or it was otherwise put under heavy load.",
        user_action: "The error clears by itself once the repository's load drops. To reduce the hub's share of the load, you can also set an event rate limit on the repository connection screen, which caps how many events the hub processes for the repository per minute.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 61105,
            severity: Severity::Info,
        },
        message: "The hub went over the target repository's rate limit; unprocessed events will be retried automatically.",
        description: "The hub exceeded the rate limit that the target repository allows. Events that were not processed are retried and processed on later attempts.",
        user_action: "None.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 61106,
            severity: Severity::Error,
        },
        message: "The repository connection is disabled.",
        description: "The repository connection stays disabled until someone enables it by hand.",
        user_action: "Either enable the repository connection on the Repository Connection page, or leave it disabled and ignore this warning.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 63001,
            severity: Severity::Error,
        },
        message: "Integration services cannot start because the license has expired.",
        description: "The current license has expired, so the hub's integration services will not start.",
        user_action: "Install a valid license: 1. Get a valid license from support. 2. Open the settings page. 3. Under License, click Apply New License. 4. Paste the license text and save.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 64001,
            severity: Severity::Error,
        },
        message: "The license does not allow this integration with the configured repositories.",
        description: "The integration uses repository pairs that the current license restrictions do not allow, so it cannot run.",
        user_action: "Do one of the following: delete the integration; disable it; or change it to use repository pairs that the license allows.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 65001,
            severity: Severity::Error,
        },
        message: "The license does not allow this extension.",
        description: "A value transformation extension is present that the current license does not permit.",
        user_action: "Either provide a license that covers extensions of this type, or remove the extension on the Settings > Extensions page.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 66001,
            severity: Severity::Info,
        },
        message: "The hub is applying a collection's project replacements to its operational data.",
        description: "The hub is updating the operational data it keeps so that it reflects the project replacements made in a collection.",
        user_action: "Wait until the collection update is done.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 66002,
            severity: Severity::Info,
        },
        message: "The hub is applying a collection's project replacements to its operational data.",
        description: "The hub is updating the operational data it keeps so that it reflects the project replacements made in a collection.",
        user_action: "Wait until the collection update is done.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 66003,
            severity: Severity::Warning,
        },
        message: "Integration data is being migrated.",
        description: "A background job is running.",
        user_action: "Wait for the background job to finish.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 66003,
            severity: Severity::Info,
        },
        message: "The project replacement cannot be applied: the handle schema lacks fields of the builder schema.",
        description: "Project replacement was not applied because the handle schema does not contain all the fields of the builder schema.",
        user_action: "1. Look for related upgrade background jobs. 2. If there are any, wait until they finish, then retry the background job. 3. If there are none, contact support.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 66004,
            severity: Severity::Warning,
        },
        message: "A background job was cancelled.",
        description: "A background job stopped because the configuration changed or the hub shut down.",
        user_action: "None; the job resumes by itself.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 67000,
            severity: Severity::Error,
        },
        message: "The target repository needs valid containers for this integration.",
        description: "No container was found in which the target artifact could be created.",
        user_action: "1. Find in the detailed message the target repository where no container was found for the target artifact. 2. In that repository, create a container that can hold the target artifact and is a sibling of the container of the referenced artifact.",
    },
    CatalogueEntry {
        code: ErrorCode {
            number: 67001,
            severity: Severity::Error,
        },
        message: "A model String or Rich Text field must be mapped to a target Relationship or Relationships field.",
        description: "The integration needs a mapping from a String or Rich Text field of the model to a Relationship or Relationships field of the target collection; it uses that mapping to decide where commit artifacts go.",
        user_action: "Map your model's Commit Message field to a Relationship or Relationships field of the target collection.",
    },
];
