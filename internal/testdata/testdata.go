// Package testdata locates the shared, read-only reference files that tests
// compare herd against (../shared/testdata beside the module root).
package testdata

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Root returns the absolute path of the shared test data folder and whether
// it exists. HERD_TESTDATA overrides the location.
func Root() (string, bool) {
	if d := os.Getenv("HERD_TESTDATA"); d != "" {
		_, err := os.Stat(d)
		return d, err == nil
	}
	_, file, _, _ := runtime.Caller(0)
	// file is <module>/internal/testdata/testdata.go.
	module := filepath.Dir(filepath.Dir(filepath.Dir(file)))
	d := filepath.Join(filepath.Dir(module), "shared", "testdata")
	_, err := os.Stat(d)
	return d, err == nil
}

// Path returns the path of a file under the shared test data folder, joined
// from elem. When the folder is absent the test is skipped with a message,
// except under CI (CI=true), where it fails: CI always has the data.
func Path(tb testing.TB, elem ...string) string {
	tb.Helper()
	root, ok := Root()
	if !ok {
		if os.Getenv("CI") != "" {
			tb.Fatalf("shared test data missing at %s (CI must have it)", root)
		}
		tb.Skipf("shared test data not found at %s; skipping", root)
	}
	return filepath.Join(append([]string{root}, elem...)...)
}
