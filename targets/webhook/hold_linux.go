package webhook

import (
	"net"
	"syscall"
)

// holdPort binds a TCP socket that does not listen to addr, an IPv4
// address whose listener was just closed, and returns the function that
// releases it. While bound, the port is refused to connecting peers (no
// socket listens on it), is never picked as an ephemeral port, and can
// still be listened on again: SO_REUSEADDR lets a listener share the port
// with a bound socket that does not listen.
func holdPort(addr *net.TCPAddr) (release func() error, err error) {
	ip := addr.IP.To4()
	if ip == nil {
		return func() error { return nil }, nil // receivers listen on 127.0.0.1 only
	}
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	sa := &syscall.SockaddrInet4{Port: addr.Port}
	copy(sa.Addr[:], ip)
	if err := syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1); err != nil {
		_ = syscall.Close(fd) // never used
		return nil, err
	}
	if err := syscall.Bind(fd, sa); err != nil {
		_ = syscall.Close(fd) // never used
		return nil, err
	}
	return func() error { return syscall.Close(fd) }, nil
}
