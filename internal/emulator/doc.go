// Package emulator owns the HTTP emulation of the Qualys CSAM gateway: the
// endpoints a sync client uses, synthetic asset data, and switchable faults.
// It is the sandbox and the end-to-end test peer of csamsync, so it must not
// know the client or the sync engine: it speaks only HTTP and the wire
// types of package csamapi, which keeps it honest about what the real API
// sends (csam-api.md §2-§6, §8). QQL filters are parsed and evaluated by
// package qql.
//
// # Endpoints
//
// Every API path except /auth takes a Bearer JWT and goes through the same
// pipeline: method check, token, rate and concurrency limits, faults.
//
//	POST /auth                      form username, password → 201 + raw HS512 JWT
//	POST /auth/oauth, /auth/oidc    headers clientId, clientSecret → 201 + JWT
//
// Asset APIs, V2 (JSON or XML filter body, csam-api.md §3):
//
//	POST|GET /rest/2.0/search/am/asset   paged search (pageSize ≤ 300, lastSeenAssetId,
//	                                includeFields, excludeFields, assetLastUpdated,
//	                                softwareType, assetId)
//	POST /rest/2.0/count/am/asset   {"count":n,"responseCode":"SUCCESS","responseMessage":"Valid API Access"}
//	GET|POST /rest/2.0/get/am/asset?assetId=N
//
// Asset APIs, V1 (seed 004; parameters in the query string, no body, the
// same envelope; filter is QQL, e.g. customAttributes:(key:'Media State4'
// and value:'Media disconnected')):
//
//	POST /am/v1/assets/host/list          pageSize, lastSeenAssetId, includeFields,
//	                                      excludeFields, lastModifiedDate (no filter)
//	POST /am/v1/assets/host/filter/list   the same plus filter
//	POST /am/v1/assets/host/count         filter, lastSeenAssetId, lastModifiedDate
//	POST|GET /am/v1/asset/host/id         assetId, includeFields, excludeFields
//
// A QQL syntax error is a 400 whose responseMessage holds the qql error
// ("... syntax error at position N: ..."; responseErrorDetails adds the
// caret line); an unknown token is a 400 naming it. Tokens (qqlassets.go)
// include both spellings of seed 002's token standardisation and §3.5:
// asset.name, asset.assetId/assetID, asset.lastUpdated/lastUpdatedDate,
// asset.created/createdDate, asset.riskScore, tags.name, tags.id,
// operatingSystem.*, hardware.*, inventory.*, customAttributes.key/value,
// software.*, openPorts.*, account.username, agent.*,
// qualys.activatedForModules, provider, and the nested forms tags:(...),
// software:(...), customAttributes:(...), inventory:(...), openPorts:(...)
// whose inner clauses must hold on the same element.
//
// Other CSAM APIs:
//
//	GET /am/v2/sn/assets/host/id?assetId=N  CMDB export (also /am/v2/sn/assets/host/N
//	                                and /am/v2/sn/asset/host/N): the asset envelope with
//	                                "Valid CMDB Subscription", software instances included
//	POST /rest/2.0/am/organization/count   bare map country → number of organizations
//	POST /rest/2.0/am/organization/list    {responseMessage, responseCode, hasMore, count,
//	                                organizationListData:{organizations:[...]}}; filters on
//	                                orgs.name / orgs.country (CONTAINS, IN, EQUALS,
//	                                NOT_EQUALS; AND/OR; JSON or XML)
//	POST /rest/2.0/am/asset/component[/{assetId}]   software components: body
//	                                {"componentFilter":{"filters":[...],"operation":"AND"}}
//	                                on component.firstFoundDate / lastFoundDate / name /
//	                                version / technology; pageSize ≤ 1000 (default 100),
//	                                cursor lastSeenAssetComponentId
//	POST /rest/2.0/am/connector/asset/data/sync   third-party import (importer.go)
//	GET  /easm/v1/profile/status    [{profileId, profileSaveTimestamp, status}] (easm.go)
//	POST /rest/2.0/am/report        EASM Summary Report → {"data":{"fileUuid":...},
//	                                "message":"Request successfully created.","error":null}
//
// Every data response carries the six rate-limit headers in the lower-case
// spelling of live responses; /auth carries none. Empty asset pages,
// component pages and organization lists are 204 with an empty body.
// Asset pages are streamed asset by asset.
//
// # Admin endpoints
//
// Under /__emulator/, a path no real client uses; no token, no limits.
//
//	GET|POST /__emulator/faults       fault switchboard: {"fault":"rate429","count":3,
//	                                  "toWaitSec":1,"delayMs":0,"path":"/am/v1/"};
//	                                  {"fault":"clear"} switches all off
//	GET  /__emulator/stats            requests by path and status, faults fired
//	GET|POST /__emulator/connectors   import connectors: {"uuid":"…","source":"WEBHOOK",
//	                                  "name":"CMDB","tags":["Imported"]}
//	GET  /__emulator/imports          import requests: accepted, rejected, created, updated
//	POST /__emulator/changes          change simulation: {"seed":1,"update":10,"add":2,
//	                                  "delete":1} and/or updatePercent, addPercent,
//	                                  deletePercent; answers the ChangeSet
//	GET  /__emulator/changes          the change log (simulations and imports)
//	GET  /__emulator/reports[/{fileUuid}]   report list, or the report file: 202 while
//	                                  it is produced, then application/pdf or text/csv,
//	                                  404 unknown. The real API documents no download
//	                                  path; this one is the emulator's own.
//	POST /__emulator/easm/profile     simulate saving the EASM profile ({"profileId":N})
//
// # Data
//
// Asset i is a pure function of (Seed, i) (generator.go, catalog.go): ids
// ascend with gaps (10,000,000 + 7i + jitter), a cursor maps to an index in
// O(1), and a million assets cost no more memory than a thousand. Changed
// and added assets live in an overlay and deleted ids in a set (store.go).
// Dates are relative to a reference time derived from the seed, never the
// wall clock, except for what changes at run time: imports and simulated
// changes stamp lastModifiedDate with the wall clock, so that a client's
// delta watermark (taken from its own clock) sees them.
//
// Every asset carries customAttributes (some agent assets) and
// organizationName: one organization of a fixed set of ten in seven
// countries (orgs.go). The organization APIs aggregate the current assets:
// assets per organization, truRisk = mean riskScore (0-1000), lastUpdated =
// latest lastModifiedDate (a date for some organizations, a timestamp for
// others, as in the two samples). Software components (components.go) are
// derived from each asset's current software: libraries of the records
// that have software instances and of a fixed share of the others, with
// ids around 1.735e12 ascending by (assetId, position).
//
// Third-party imports are validated at once (assetsError keyed by
// sourceNativeKey, or the index, for rejected assets; unknown connectorUuid
// or empty assetData → 400) and processed ImportDelay (200 ms) later in the
// background: assets are matched by sourceNativeKey, serialNumber,
// hardwareUuid, macAddress, fqdn, then hostName, and created (new ids above
// every existing one) or updated; inventory.source is the connector's
// source, inventory.created / lastUpdated the source dates, and the
// connector's tags are applied to every asset it ever imported.
//
// SimulateChanges (or POST /__emulator/changes) picks hosts
// deterministically from its seed: updates add, remove or upgrade a
// package and add or remove a business tag; adds copy a random base host
// under a new id; deletes remove hosts. Each change is logged.
//
// The EASM profile status is IN_PROGRESS for the first
// EASMInProgressPolls (default 2) polls after start or a profile save,
// then COMPLETED: counted in polls, not time, so tests are deterministic.
// Reports are produced ReportDelay (200 ms) after the request, PDF with
// github.com/go-pdf/fpdf or CSV, from the assets the request selects.
//
// # Faults
//
// Each fault is either global (Count <= 0) or fires on the next Count
// matching requests; every firing is logged ("fault fired", with the
// path) and counted in Stats.Faults. Without FaultSpec.Path a fault
// applies to every data endpoint (V2, V1, CMDB export, organizations,
// components, import, EASM, report); with Path only to requests whose path
// starts with it, including /auth for status faults. Page faults apply to
// asset pages (V2 search, V1 list and filter/list) and component pages;
// no-hasmore and no-responsecode also to organization lists and counts;
// empty-hasmore to empty asset pages, component pages and organization
// lists. The real limiter's 429s are logged too.
//
//	rate429             429 with x-ratelimit-towait-sec (FaultSpec.ToWait, default 1 s)
//	rate429-nowait      429 without x-ratelimit-towait-sec (only limit and remaining)
//	conflict409         409 "This API cannot be run again for another N seconds", with towait
//	conflict409-nowait  409 without x-ratelimit-towait-sec
//	concurrency429      429 "Concurrency limit exceeded", x-concurrency-limit-running = limit
//	error500            500 Spring-style JSON
//	unavailable503      503 with an HTML body
//	error520            520 with a text body
//	burst5xx            cycles 503, 500, 520
//	slow                delays the response by FaultSpec.Delay (default 2 s)
//	forbidden403        403 "API access not enabled" (Qualys-style body)
//	token-expiry        every token issued so far expires: this request gets the 401
//	                    Spring body, and so does any retry with an old token
//	oauth-reject        client-credential tokens get 400 "Error validating customer
//	                    from token - Invalid Subscription Id"
//	truncate            the JSON body stops in the middle (clean HTTP end)
//	reset               like truncate, then the connection is dropped
//	wrong-type          the first assetId is the string "x"
//	no-hasmore          the envelope has no hasMore key
//	no-responsecode     the envelope (or count body) has no responseCode key
//	empty-hasmore       an empty result is 200 with count 0, hasMore 1 (not 204)
//	repeat-last         the item at the cursor is repeated at the start of the page
//	stuck-cursor        the page's cursor (lastSeenAssetId, lastAssetComponentId)
//	                    stays at the request's value
//
// Faults are switched on with Server.Faults, with POST /__emulator/faults,
// or with the CLI flag --fault name[:count].
//
// # Pointing a client at it
//
// Run "csamsync emulator --listen 127.0.0.1:9080 --assets 2000 --seed 1
// --connector 5f0c1a2e-7d3b-4c9e-9a41-0e6b2d8c7f10=WEBHOOK:Imported" (or
// New(Config{...}).Start in a test) and give any CSAM client the printed
// base URL as its gateway URL (instead of https://gateway.qg1.apps.qualys.com):
// the paths are the real ones. Authenticate with POST /auth (username and
// password, default admin/admin) or, with --client-id/--client-secret,
// /auth/oauth, and send the token as "Authorization: Bearer <jwt>".
// Lower --rate-limit and --concurrency-limit, or switch faults on, to
// exercise the client's error handling.
package emulator
