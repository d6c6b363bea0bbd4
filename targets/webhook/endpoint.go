package webhook

import (
	"github.com/hookbench/hookbench/bench"
	"github.com/valyala/fasthttp"
)

// userAgent is the sender's User-Agent, as real senders announce themselves.
const userAgent = "hookbench-webhook/1"

// maxResponseBody bounds what the sender reads of an answer; it ignores the
// body anyway.
const maxResponseBody = 64 << 10

// An endpoint is the sender's side of one subscriber: its queue, its
// signing key, its jitter seed and its HTTP client.
type endpoint struct {
	sub    int
	url    string
	signer *Signer
	seed   uint64 // first PCG word of the endpoint's jitter
	q      *queue
	conns  *connSet
	client *fasthttp.HostClient
}

// newEndpoint returns the endpoint of subscriber sub, whose receiver
// listens on addr. opts must be valid with defaults filled.
func newEndpoint(sub int, addr string, signer *Signer, opts Options, m *bench.Meter, seed uint64) *endpoint {
	conns := newConnSet(m)
	return &endpoint{
		sub:    sub,
		url:    "http://" + addr + "/webhook",
		signer: signer,
		seed:   jitterSeed(seed, sub),
		q:      newQueue(),
		conns:  conns,
		client: newClient(addr, conns, opts),
	}
}

// newClient returns the HostClient of one endpoint. fasthttp's own retries
// are off: every attempt is the sender's, so that each is signed afresh and
// counted.
func newClient(addr string, conns *connSet, opts Options) *fasthttp.HostClient {
	return &fasthttp.HostClient{
		Addr:                      addr,
		Name:                      userAgent,
		DialTimeout:               conns.dial,
		MaxConns:                  opts.Concurrency,
		MaxConnWaitTimeout:        opts.Timeout.D(),
		MaxIdemponentCallAttempts: 1,
		RetryIfErr:                func(*fasthttp.Request, int, error) (bool, bool) { return false, false },
		MaxResponseBodySize:       maxResponseBody,
	}
}

// run starts the endpoint's retry mover and its workers under p.wg.
func (ep *endpoint) run(p *producer, workers int) {
	p.wg.Go(ep.q.runRetries)
	for range workers {
		w := newWorker(p, ep)
		p.wg.Go(w.run)
	}
}

// stop closes the queue, which stops the workers and the mover, and cuts
// in-flight attempts short by closing their connections.
func (ep *endpoint) stop() {
	ep.q.close()
	ep.conns.closeAll()
}
