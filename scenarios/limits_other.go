//go:build !unix

package scenarios

// fdLimit reports that there is no open-file limit to check.
func fdLimit() (soft, hard uint64, ok bool) { return 0, 0, false }
