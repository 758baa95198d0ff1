package syncer

import (
	"context"
	"iter"
	"sort"
	"strconv"
	"testing"

	"github.com/csamsync/csamsync/internal/client"
	"github.com/csamsync/csamsync/internal/csamapi"
)

// fakeProber answers count and the first search from a sorted id list.
type fakeProber struct {
	ids    []int64
	counts int
}

func (f *fakeProber) Count(_ context.Context, q client.AssetQuery) (int64, error) {
	f.counts++
	limit := int64(1 << 62)
	for _, c := range q.Filter.Filters {
		if c.Field == csamapi.FieldAssetID && c.Operator == csamapi.OpLessThanEqual {
			limit, _ = strconv.ParseInt(c.Value, 10, 64)
		}
	}
	return int64(sort.Search(len(f.ids), func(i int) bool { return f.ids[i] > limit })), nil
}

func (f *fakeProber) Scan(_ context.Context, q client.AssetQuery) iter.Seq2[client.Item, error] {
	return func(yield func(client.Item, error) bool) {
		yield(client.Item{Asset: &csamapi.Asset{AssetID: f.ids[0]}}, nil)
	}
}

func TestPlanPartitions(t *testing.T) {
	uniform := make([]int64, 60000)
	for i := range uniform {
		uniform[i] = 28_000_000 + int64(i)*13 + int64(i%7)
	}
	skewed := make([]int64, 0, 60000) // a dense old block and a sparse recent one
	for i := range 45000 {
		skewed = append(skewed, 1_000_000+int64(i))
	}
	for i := range 15000 {
		skewed = append(skewed, 90_000_000+int64(i)*5000)
	}
	tests := []struct {
		name      string
		ids       []int64
		parallel  int
		wantParts int
		maxProbes int
	}{
		{"uniform, 2 ranges", uniform, 2, 2, 6},
		{"uniform, 4 ranges", uniform, 4, 4, 12},
		{"skewed, 2 ranges", skewed, 2, 2, 30},
		{"too small to split", uniform[:2500], 2, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeProber{ids: tt.ids}
			total := int64(len(tt.ids))
			parts, err := planPartitions(context.Background(), f, client.AssetQuery{PageSize: 300}, total, tt.parallel)
			if err != nil {
				t.Fatal(err)
			}
			if len(parts) != tt.wantParts || f.counts > tt.maxProbes {
				t.Fatalf("%d ranges with %d count calls: %+v", len(parts), f.counts, parts)
			}
			// Ranges tile the id space and hold about equal shares.
			var covered int64
			for i, p := range parts {
				if i > 0 && p.Lo != parts[i-1].Hi {
					t.Fatalf("gap between ranges: %+v", parts)
				}
				hi := p.Hi
				if hi == 0 {
					hi = 1 << 62
				}
				n := int64(sort.Search(len(tt.ids), func(j int) bool { return tt.ids[j] > hi })) -
					int64(sort.Search(len(tt.ids), func(j int) bool { return tt.ids[j] > p.Lo }))
				covered += n
				share := total / int64(len(parts))
				if n < share*8/10 || n > share*12/10 {
					t.Fatalf("range %d holds %d of %d: %+v", i, n, total, parts)
				}
			}
			if covered != total || parts[len(parts)-1].Hi != 0 || parts[0].Lo != 0 {
				t.Fatalf("ranges cover %d of %d: %+v", covered, total, parts)
			}
		})
	}
}
