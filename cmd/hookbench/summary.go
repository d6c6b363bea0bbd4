package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/hookbench/hookbench/bench"
)

// writeSummary prints one row per pattern.
func writeSummary(w io.Writer, r *bench.Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "pattern\tpublished\tlost\tduplicates\tout_of_order\tp50 ms\tp99 ms\tmax ms\treq/event\tbytes/event\t")
	for _, p := range r.Patterns {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%.2f\t%.2f\t%.2f\t%.2f\t%.0f\t\n",
			p.Name, p.Events.Published, p.Events.Lost, p.Events.Duplicates, p.Events.OutOfOrder,
			p.Latency.P50, p.Latency.P99, p.Latency.Max, p.Overhead.RequestsPerEvent, p.Overhead.BytesPerEvent)
	}
	return tw.Flush()
}
