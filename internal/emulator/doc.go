// Package emulator owns the HTTP emulation of the Qualys CSAM gateway: the
// endpoints a sync client uses, synthetic asset data, and switchable faults.
// It is the sandbox and the end-to-end test peer of csamsync, so it must not
// know the client or the sync engine: it speaks only HTTP and the wire
// types of package csamapi, which keeps it honest about what the real API
// sends (csam-api.md §2-§4, §6, §8).
//
// # Endpoints
//
//	POST /auth                      form username, password → 201 + raw HS512 JWT
//	POST /auth/oauth, /auth/oidc    headers clientId, clientSecret → 201 + JWT
//	POST|GET /rest/2.0/search/am/asset   paged search (pageSize, lastSeenAssetId,
//	                                includeFields, excludeFields, assetLastUpdated,
//	                                softwareType, assetId; JSON or XML filter body)
//	POST /rest/2.0/count/am/asset   {"count":n,"responseCode":"SUCCESS",...}
//	GET|POST /rest/2.0/get/am/asset?assetId=N
//	GET|POST /__emulator/faults     fault switchboard (not a real API path)
//	GET /__emulator/stats           requests by path and status, faults fired
//
// Every data response carries the six rate-limit headers in the lower-case
// spelling of live responses; /auth carries none. Empty results are 204
// with an empty body. Pages are streamed asset by asset.
//
// # Data
//
// Asset i is a pure function of (Seed, i) (generator.go, catalog.go): ids
// ascend with gaps (10,000,000 + 7i + jitter), a cursor maps to an index in
// O(1), and a million assets cost no more memory than a thousand. Changed
// and added assets live in an overlay and deleted ids in a set (store.go),
// so change simulation can be layered on top. Dates are relative to a
// reference time derived from the seed, never the wall clock.
//
// # Faults
//
// Each fault is either global (Count <= 0) or fires on the next Count
// matching requests; every firing is logged and counted in Stats.Faults.
// Status faults apply to the data endpoints, or to any path (including
// /auth) given FaultSpec.Path; page faults apply to search pages.
//
//	rate429          429 with x-ratelimit-towait-sec (FaultSpec.ToWait, default 1 s)
//	rate429-nowait   429 without x-ratelimit-towait-sec (only limit and remaining)
//	conflict409      409 "This API cannot be run again for another N seconds", with towait
//	error500         500 Spring-style JSON
//	unavailable503   503 with an HTML body
//	error520         520 with a text body
//	burst5xx         cycles 503, 500, 520
//	slow             delays the response by FaultSpec.Delay (default 2 s)
//	forbidden403     403 "API access not enabled" (Qualys-style body)
//	token-expiry     every token issued so far expires: this request gets the 401
//	                 Spring body, and so does any retry with the old token
//	oauth-reject     client-credential tokens get 400 "Error validating customer
//	                 from token - Invalid Subscription Id"
//	truncate         the JSON body stops in the middle of an asset (clean HTTP end)
//	reset            like truncate, then the connection is dropped
//	wrong-type       the first asset's assetId is the string "x"
//	no-hasmore       the envelope has no hasMore key
//	no-responsecode  the envelope (or count body) has no responseCode key
//	empty-hasmore    an empty result is 200 with count 0, hasMore 1, asset [] (not 204)
//	repeat-last      the asset at lastSeenAssetId is repeated at the start of the page
//	stuck-cursor     lastSeenAssetId stays at the request's value (same page again)
//
// Faults are switched on with Server.Faults, with POST /__emulator/faults
// {"fault":"rate429","count":3,"toWaitSec":1} ({"fault":"clear"} switches
// all off), or with the CLI flag --fault name[:count].
package emulator
