//go:build !linux

package webhook

import "net"

// holdPort does nothing outside Linux, where a bound socket that does not
// listen would keep the receiver from listening on its port again (BSD
// semantics of SO_REUSEADDR). The port is then unbound during an outage,
// and the re-listen could in principle find it taken.
func holdPort(*net.TCPAddr) (release func() error, err error) {
	return func() error { return nil }, nil
}
