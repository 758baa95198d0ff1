package csamapi

import (
	"testing"

	"github.com/go-json-experiment/json"
)

func TestAssetTolerantShapes(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		check func(t *testing.T, a *Asset)
	}{
		{"processor object", `{"assetId":1,"processor":{"description":"Xeon","numCPUs":4}}`, func(t *testing.T, a *Asset) {
			if len(a.Processor.Items) != 1 || !a.Processor.Single || *a.Processor.Items[0].NumCPUs != 4 {
				t.Fatalf("processor %+v", a.Processor)
			}
		}},
		{"processor array", `{"assetId":1,"processor":[{"speed":2600},{"speed":2700}]}`, func(t *testing.T, a *Asset) {
			if len(a.Processor.Items) != 2 || a.Processor.Single {
				t.Fatalf("processor %+v", a.Processor)
			}
		}},
		{"whois object", `{"assetId":1,"whois":{"registrar":"R","createdDate":"2024-02-23T00:00:00.000Z"}}`, func(t *testing.T, a *Asset) {
			if len(a.Whois.Items) != 1 || Str(a.Whois.Items[0].Registrar) != "R" || !a.Whois.Items[0].CreatedDate.Known {
				t.Fatalf("whois %+v", a.Whois)
			}
		}},
		{"cloudProvider string", `{"assetId":1,"cloudProvider":"Amazon Web Services"}`, func(t *testing.T, a *Asset) {
			if a.CloudProvider == nil || a.CloudProvider.Name != "Amazon Web Services" {
				t.Fatalf("cloud %+v", a.CloudProvider)
			}
		}},
		{"cloudProvider gcp", `{"assetId":1,"cloudProvider":{"aws":null,"gcp":{"compute":{"instanceId":"9007199254740993"},"tags":[{"key":"k","value":"v"}]}}}`, func(t *testing.T, a *Asset) {
			g := a.CloudProvider.GCP
			if g == nil || g.InstanceKey != "compute" || g.Instance["instanceId"] != "9007199254740993" || len(g.Tags) != 1 {
				t.Fatalf("gcp %+v", g)
			}
		}},
		{"software ids exact", `{"assetId":9007199254740993,"softwareListData":{"software":[{"id":-2432392843928159632},{"id":9223372036854775807},{"id":1111111111111111111}]}}`, func(t *testing.T, a *Asset) {
			sw := a.SoftwareListData.Software
			if a.AssetID != 9007199254740993 || sw[0].ID != -2432392843928159632 || sw[1].ID != 9223372036854775807 || sw[2].ID != 1111111111111111111 {
				t.Fatalf("ids %d %d %d %d", a.AssetID, sw[0].ID, sw[1].ID, sw[2].ID)
			}
		}},
		{"softwareInstances uppercase", `{"assetId":1,"softwareListData":{"software":[{"id":1,"softwareInstances":[{"InstanceName":"DOCKER","BIN_PATH":"/usr/bin/docker","PORT":8080123456789012345}]}]}}`, func(t *testing.T, a *Asset) {
			in := a.SoftwareListData.Software[0].SoftwareInstances[0]
			if in.String("instanceName") != "DOCKER" || in.String("binPath") != "/usr/bin/docker" || in.String("port") != "8080123456789012345" {
				t.Fatalf("instance %+v", in)
			}
		}},
		{"cpeId number or string", `{"assetId":1,"operatingSystem":{"cpeId":877711965},"softwareListData":{"software":[{"id":1,"cpeId":"abc"}]}}`, func(t *testing.T, a *Asset) {
			if a.OperatingSystem.CpeID.Value != "877711965" || !a.OperatingSystem.CpeID.Raw || a.SoftwareListData.Software[0].CpeID.Value != "abc" {
				t.Fatalf("cpe %+v %+v", a.OperatingSystem.CpeID, a.SoftwareListData.Software[0].CpeID)
			}
		}},
		{"unknown fields ignored", `{"assetId":1,"brandNewField":{"x":[1,2,3]},"fqdn":"a.b"}`, func(t *testing.T, a *Asset) {
			if a.AssetID != 1 {
				t.Fatal("id lost")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a Asset
			if err := json.Unmarshal([]byte(tt.in), &a); err != nil {
				t.Fatal(err)
			}
			tt.check(t, &a)
		})
	}
}

func TestAssetRejectsStringID(t *testing.T) {
	var a Asset
	if err := json.Unmarshal([]byte(`{"assetId":"x"}`), &a); err == nil {
		t.Fatal("a string where the asset id belongs must be an error")
	}
}
