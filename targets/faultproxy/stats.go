package faultproxy

import "sync/atomic"

// counters are the Proxy's statistics, updated with atomics.
type counters struct {
	conns, dialErrors, resets, blackholed   atomic.Uint64
	up, down, delayed, throttled, discarded atomic.Uint64
}

// Stats are a Proxy's counters since New. Byte counts are payload bytes
// (TCP and IP headers excluded).
type Stats struct {
	// Connections is the number of connections accepted.
	Connections uint64
	// DialErrors counts accepted connections reset because the upstream
	// could not be dialled.
	DialErrors uint64
	// Resets counts links closed with RST by a reset fault.
	Resets uint64
	// Blackholed counts links stalled by a blackhole fault: accepted
	// during its window, or live when it began or carrying data in it.
	Blackholed uint64
	// Live is the number of links open now.
	Live int
	// BytesUp and BytesDown are the bytes forwarded to the upstream and to
	// the accepted side.
	BytesUp, BytesDown uint64
	// BytesDelayed counts forwarded bytes held back by a latency fault.
	BytesDelayed uint64
	// BytesThrottled counts forwarded bytes paced by a bandwidth fault.
	BytesThrottled uint64
	// BytesDiscarded counts bytes read on stalled links and dropped, and
	// bytes waiting in a link when it stalled.
	BytesDiscarded uint64
}

// Stats returns the Proxy's counters so far.
func (p *Proxy) Stats() Stats {
	p.mu.Lock()
	live := len(p.links)
	p.mu.Unlock()
	c := &p.stats
	return Stats{
		Connections:    c.conns.Load(),
		DialErrors:     c.dialErrors.Load(),
		Resets:         c.resets.Load(),
		Blackholed:     c.blackholed.Load(),
		Live:           live,
		BytesUp:        c.up.Load(),
		BytesDown:      c.down.Load(),
		BytesDelayed:   c.delayed.Load(),
		BytesThrottled: c.throttled.Load(),
		BytesDiscarded: c.discarded.Load(),
	}
}
