package bench

import (
	"sync"
	"sync/atomic"
	"time"
)

type progressLoop struct {
	phase atomic.Value // string
	done  chan struct{}
	wg    sync.WaitGroup
}

func (p *progressLoop) stop() {
	if p.done != nil {
		close(p.done)
		p.wg.Wait()
	}
}

// startProgress reports ru's progress to r.Progress until stopped.
func (r *Runner) startProgress(ru *run, idx, total int) *progressLoop {
	p := &progressLoop{}
	p.phase.Store("publishing")
	if r.Progress == nil {
		return p
	}
	every := r.ProgressEvery
	if every <= 0 {
		every = 200 * time.Millisecond
	}
	p.done = make(chan struct{})
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			ev := ru.ledger.Counts()
			r.Progress(Progress{
				Pattern:   ru.target.Name(),
				Index:     idx,
				Patterns:  total,
				Phase:     p.phase.Load().(string),
				Elapsed:   time.Since(ru.ledger.Started()),
				Duration:  ru.sc.Duration.D(),
				Published: ev.Published,
				Events:    ru.events,
				Delivered: ev.Unique,
				Expected:  ev.Expected,
			})
			select {
			case <-p.done:
				return
			case <-tick.C:
			}
		}
	}()
	return p
}
