// Test vectors for UTF-8 label names, pinned in libs/domain/src/fingerprint.spec.ts and route.spec.ts:
//
//	go run test/compat/utf8-label-vectors.go
//
// The Alertmanager installed here (0.25) refuses UTF-8 names, and its Go modules cannot be downloaded
// offline, so this reproduces, with the standard library only, the two functions Alertmanager ≥ 0.27
// uses (it vendors prometheus/common v0.70.1):
//   - model/signature.go labelSetToFingerprint: names sorted as Go strings (UTF-8 bytes), FNV-1a 64
//     over name, 0xFF, value, 0xFF (hash/fnv's New64a is the same FNV-1a 64);
//   - model/labelset_string.go LabelSet.String, the group-labels half of the group key
//     (dispatch/dispatch.go aggrGroup.GroupKey: routeKey + ":" + labels): names sorted and written as
//     they are (not quoted, UTF-8 or not), values strconv.Quote'd, pairs joined by ", ".
//
// The first set is the design document's vector (a67804294d5d5284), as a check of the reproduction.
package main

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"sort"
	"strconv"
)

func sortedNames(ls map[string]string) []string {
	names := make([]string, 0, len(ls))
	for n := range ls {
		names = append(names, n)
	}
	sort.Strings(names) // upstream: sort.Sort(LabelNames) and slices.Sort, the same byte order
	return names
}

func fingerprint(ls map[string]string) string {
	h := fnv.New64a()
	for _, n := range sortedNames(ls) {
		h.Write([]byte(n))
		h.Write([]byte{0xff})
		h.Write([]byte(ls[n]))
		h.Write([]byte{0xff})
	}
	return fmt.Sprintf("%016x", h.Sum64())
}

func labelSetString(ls map[string]string) string {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, n := range sortedNames(ls) {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(n)
		b.WriteByte('=')
		b.WriteString(strconv.Quote(ls[n]))
	}
	b.WriteByte('}')
	return b.String()
}

func main() {
	sets := []map[string]string{
		{"alertname": "HighCPU", "cluster": "c1", "instance": "a", "severity": "warning", "team": "db"},
		{"alertname": "Down", "service.name": "api", "名前": "値"},
		{"😀": "1", "\uff21": "2"},
		{"service.name": "api"},
		{"service.name": "api", "名前": "値", "foo bar": "x\"y"},
	}
	for _, s := range sets {
		fmt.Printf("%s %s\n", fingerprint(s), labelSetString(s))
	}
}
