//go:build !unix

package weights

import "os"

// mapFile reads the whole file into memory where memory mapping is not
// available, and returns its bytes and a no-op release function.
func mapFile(path string) ([]byte, func() error, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	return data, func() error { return nil }, nil
}
