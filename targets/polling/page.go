package polling

import (
	"fmt"
	"strconv"

	"github.com/hookbench/hookbench/bench"
)

// The wire format of GET /events (JSON, as the event APIs of Stripe,
// GitHub or Telegram). A page is
//
//	{"next":42,"has_more":false,"events":[EVENT,EVENT,...]}
//
// where each EVENT is the event's body verbatim (bench.AppendPayload, the
// Standard Webhooks style envelope {"type":"hookbench.event","seq":...}),
// next is the log seq of the page's last event (the cursor to send as
// after=; the request's own cursor when the page is empty) and has_more
// says that the log holds events past next. A cursor the log no longer
// retains gets
//
//	410 {"error":"cursor_too_old","reason":"...","oldest":41,"head":50}
//
// and the client resyncs with after=oldest-1. Bad requests get 400 with the
// same error shape.

// page is a decoded page. events alias the body it was parsed from.
type page struct {
	next    uint64
	hasMore bool
	events  [][]byte
}

// appendPage appends the page of evs to dst.
func appendPage(dst []byte, evs []bench.Event, next uint64, hasMore bool) []byte {
	dst = append(dst, `{"next":`...)
	dst = strconv.AppendUint(dst, next, 10)
	dst = append(dst, `,"has_more":`...)
	dst = strconv.AppendBool(dst, hasMore)
	dst = append(dst, `,"events":[`...)
	for i, ev := range evs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = bench.AppendPayload(dst, ev)
	}
	return append(dst, "]}"...)
}

// appendError appends an error body: code is a stable token for programs,
// reason a sentence for people.
func appendError(dst []byte, code, reason string) []byte {
	dst = append(dst, `{"error":`...)
	dst = strconv.AppendQuote(dst, code)
	dst = append(dst, `,"reason":`...)
	dst = strconv.AppendQuote(dst, reason)
	return append(dst, '}')
}

// appendTooOld appends the 410 body for a cursor older than the retention.
func appendTooOld(dst []byte, after uint64, e *cursorError) []byte {
	dst = append(dst, `{"error":"cursor_too_old","reason":`...)
	dst = strconv.AppendQuote(dst, fmt.Sprintf(
		"cursor %d is older than the retained log (oldest retained seq %d): resync from after=%d; events %d to %d are no longer available",
		after, e.oldest, e.oldest-1, after+1, e.oldest-1))
	dst = append(dst, `,"oldest":`...)
	dst = strconv.AppendUint(dst, e.oldest, 10)
	dst = append(dst, `,"head":`...)
	dst = strconv.AppendUint(dst, e.head, 10)
	return append(dst, '}')
}

// parsePage decodes body into p, reusing p.events. It does not allocate
// once p.events has grown to the page size.
func parsePage(body []byte, p *page) error {
	p.next, p.hasMore, p.events = 0, false, p.events[:0]
	var haveNext, haveEvents bool
	err := eachMember(body, func(key, val []byte) error {
		var err error
		switch string(key) {
		case "next":
			p.next, err = parseUint(val)
			haveNext = true
		case "has_more":
			switch string(val) {
			case "true":
				p.hasMore = true
			case "false":
			default:
				err = fmt.Errorf("%w: has_more is %q", errJSON, val)
			}
		case "events":
			haveEvents = true
			err = eachElement(val, func(elem []byte) error {
				p.events = append(p.events, elem)
				return nil
			})
		}
		return err
	})
	switch {
	case err != nil:
		return fmt.Errorf("page: %w", err)
	case !haveNext || !haveEvents:
		return fmt.Errorf("page: %w: next or events missing", errJSON)
	}
	return nil
}

// parseTooOld reads the oldest retained seq from a 410 body.
func parseTooOld(body []byte) (oldest uint64, err error) {
	found := false
	err = eachMember(body, func(key, val []byte) error {
		if string(key) != "oldest" {
			return nil
		}
		found = true
		oldest, err = parseUint(val)
		return err
	})
	switch {
	case err != nil:
		return 0, fmt.Errorf("cursor_too_old answer: %w", err)
	case !found || oldest == 0:
		return 0, fmt.Errorf("cursor_too_old answer: %w: no oldest seq", errJSON)
	}
	return oldest, nil
}
