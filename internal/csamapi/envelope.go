package csamapi

import "github.com/go-json-experiment/json/jsontext"

// Response codes and messages of the asset APIs (csam-api.md §3.6).
const (
	ResponseSuccess        = "SUCCESS"
	ResponseFailure        = "Failure"
	MessageValidAPIAccess  = "Valid API Access"
	MessageValidCMDB       = "Valid CMDB Subscription"
	ResponsePublished      = "SUCCESSFULLY_PUBLISHED"
	MaxPageSize            = 300
	DefaultServerPageSize  = 100
	InvalidSubscriptionMsg = "Error validating customer from token - Invalid Subscription Id"
)

// Envelope is the page header of search / get / V1 list responses. The
// asset array is not part of it: clients stream it one asset at a time.
// HasMore and ResponseCode are pointers because real servers sometimes omit
// them (qualysetl: "intermittent issue missing hasMore key").
type Envelope struct {
	ResponseMessage *string `json:"responseMessage"`
	Count           *int64  `json:"count"`
	ResponseCode    *string `json:"responseCode"`
	LastSeenAssetID *int64  `json:"lastSeenAssetId"`
	HasMore         *int64  `json:"hasMore"`
}

// AssetPage is a whole page, for the emulator and for small responses.
type AssetPage struct {
	ResponseMessage *string        `json:"responseMessage,omitzero"`
	Count           *int64         `json:"count,omitzero"`
	ResponseCode    *string        `json:"responseCode,omitzero"`
	LastSeenAssetID *int64         `json:"lastSeenAssetId"`
	HasMore         *int64         `json:"hasMore,omitzero"`
	AssetListData   *AssetListData `json:"assetListData"`
}

// AssetListData wraps the asset array.
type AssetListData struct {
	Asset []jsontext.Value `json:"asset"`
}

// CountResponse is the body of /rest/2.0/count/am/asset and V1 count.
type CountResponse struct {
	Count           int64  `json:"count"`
	ResponseCode    string `json:"responseCode"`
	ResponseMessage string `json:"responseMessage"`
}

// ErrorBody is the union of the error bodies the gateway sends: the
// Spring-style 401 ({"timestamp","path","status","error","message",
// "requestId","responseCode","responseErrorDetails"}), the /auth 401
// ({"status","message"}) and the Qualys-style 400/403 ({"responseMessage",
// "responseCode","responseErrorDetails"}). responseErrorDetails may be a
// string or an object with errorMessage.
type ErrorBody struct {
	Timestamp            *string        `json:"timestamp,omitzero"`
	Path                 *string        `json:"path,omitzero"`
	Status               *int64         `json:"status,omitzero"`
	Error                *string        `json:"error,omitzero"`
	Message              *string        `json:"message,omitzero"`
	RequestID            *string        `json:"requestId,omitzero"`
	ResponseCode         *string        `json:"responseCode,omitzero"`
	ResponseMessage      *string        `json:"responseMessage,omitzero"`
	ResponseErrorDetails jsontext.Value `json:"responseErrorDetails,omitzero"`
}
