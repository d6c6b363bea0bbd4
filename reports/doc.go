// Package reports renders a run's results (bench.Result, the model of
// results.json) for people and for CI: the terminal summary table, a
// Markdown report for job summaries and pull-request comments, a
// self-contained HTML report, JUnit XML for CI test views, and latency and
// overhead plots drawn with gonum/plot as PNG and SVG.
//
// Everything here reads a Result and nothing else, so a saved results.json
// re-renders every report and plot without re-running: the HdrHistograms
// it carries are decoded for the percentile spectrum and the CDF.
//
// Renderers are small values behind one seam, Renderer; Formats is the
// table of format names the CLI offers, and WriteAll writes a chosen set of
// formats into a folder. Renderers are safe for concurrent use; none keeps
// state between calls.
package reports
