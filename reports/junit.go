package reports

import (
	"encoding/xml"
	"fmt"
	"io"

	"github.com/hookbench/hookbench/bench"
)

// JUnit writes r's threshold verdicts as JUnit XML, for CI systems that
// show test results: one testsuite per pattern, one testcase per threshold
// of that pattern, and a failure carrying the measured value for each
// threshold that did not hold.
func JUnit(w io.Writer, r *bench.Result) error {
	m, err := newModel(r)
	if err != nil {
		return err
	}
	return writeJUnit(w, m)
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

func writeJUnit(w io.Writer, m *model) error {
	root := junitSuites{Name: "hookbench " + m.name()}
	for _, p := range m.r.Patterns {
		s := junitSuite{
			Name: "hookbench." + m.name() + "." + p.Name,
			Properties: []junitProperty{
				{"scenario", m.name()},
				{"seed", fmt.Sprint(m.scenario.Seed)},
				{"pattern", p.Name},
				{"valid", fmt.Sprint(p.Valid)},
				{"partial", fmt.Sprint(m.r.Partial || p.Partial)},
			},
			Cases: []junitCase{},
		}
		for _, v := range p.Thresholds {
			metric := thresholdMetric(v.Expr)
			measured := metric + "=" + fmtMetric(metric, v.Value)
			if v.Window != nil {
				measured += " in the window at " + fmtSeconds(*v.Window)
			}
			c := junitCase{Name: v.Expr, Classname: s.Name}
			if v.OK {
				c.SystemOut = "measured " + measured
			} else {
				c.Failure = &junitFailure{
					Message: fmt.Sprintf("threshold %s failed: measured %s", v.Expr, measured),
					Type:    "threshold",
					Text: fmt.Sprintf("pattern %s: threshold %s does not hold: measured %s (raw value %g)",
						p.Name, v.Expr, measured, v.Value),
				}
				s.Failures++
			}
			s.Cases = append(s.Cases, c)
		}
		s.Tests = len(s.Cases)
		root.Tests += s.Tests
		root.Failures += s.Failures
		root.Suites = append(root.Suites, s)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(root); err != nil {
		return fmt.Errorf("reports: junit: %w", err)
	}
	if err := enc.Close(); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
