package reports

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestHTMLSelfContained checks the page loads nothing from elsewhere and
// carries every plot and the scenario.
func TestHTMLSelfContained(t *testing.T) {
	var b bytes.Buffer
	if err := HTML(&b, loadFixture(t)); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, bad := range []string{"http://", "https://", "<script", "<link", "@import", "src="} {
		// The SVG namespace URIs are names, not requests.
		clean := strings.NewReplacer(`xmlns="http://www.w3.org/2000/svg"`, "", `xmlns:xlink="http://www.w3.org/1999/xlink"`, "").Replace(page)
		if strings.Contains(clean, bad) {
			t.Errorf("page contains %q: it must work offline", bad)
		}
	}
	if got, want := strings.Count(page, "<svg "), len(figures()); got != want {
		t.Errorf("%d inline SVGs, want %d", got, want)
	}
	for _, want := range []string{
		`<section id="comparison">`, `<section id="thresholds">`, `<section id="faults">`, `<section id="claims">`,
		`<section id="scenario">`, `&#34;seed&#34;: 7`, "p99[1s] &lt; 2s", "<?xml",
	} {
		if want == "<?xml" {
			if strings.Contains(page, want) {
				t.Error("an XML declaration is left inside the page")
			}
			continue
		}
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

// chromium returns the path of a headless-capable Chromium, or skips.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("chromium is not on PATH: the browser check of report.html is skipped (apt-get install chromium to run it)")
	return ""
}

// runChromium loads url headless with the given extra flags and returns
// its stdout and stderr (console messages are logged to stderr).
func runChromium(t *testing.T, bin, url string, flags ...string) (stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	args := append([]string{
		"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir(), "--enable-logging=stderr", "--v=0",
	}, flags...)
	cmd := exec.CommandContext(ctx, bin, append(args, url)...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", flags, err, errOut.String())
	}
	return out.String(), errOut.String()
}

// consoleErrors returns the lines of Chromium's log that report a console
// message or a failed load.
func consoleErrors(log string) []string {
	var out []string
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, ":CONSOLE") || strings.Contains(l, "net::ERR_") || strings.Contains(l, "Uncaught") {
			out = append(out, l)
		}
	}
	return out
}

// TestHTMLInBrowser loads report.html in headless Chromium, checks that the
// plots rendered and nothing was logged to the console, and takes a
// screenshot.
func TestHTMLInBrowser(t *testing.T) {
	bin := chromium(t)
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	var b bytes.Buffer
	if err := HTML(&b, loadFixture(t)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(page, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	url := "file://" + page

	t.Run("detects console errors", func(t *testing.T) {
		// The check below must be able to fail: a page that logs an
		// error is caught.
		bad := filepath.Join(dir, "bad.html")
		if err := os.WriteFile(bad, []byte(`<!DOCTYPE html><title>x</title><script>console.error("broken report")</script>`), 0o644); err != nil {
			t.Fatal(err)
		}
		_, log := runChromium(t, bin, "file://"+bad, "--dump-dom")
		if len(consoleErrors(log)) == 0 {
			t.Errorf("console.error not seen in chromium's log:\n%s", log)
		}
	})

	dom, log := runChromium(t, bin, url, "--dump-dom")
	if errs := consoleErrors(log); len(errs) > 0 {
		t.Errorf("console errors loading the report:\n%s", strings.Join(errs, "\n"))
	}
	for _, f := range figures() {
		i := strings.Index(dom, `<figure id="plot-`+f.name+`">`)
		if i < 0 {
			t.Errorf("plot %s missing from the DOM", f.name)
			continue
		}
		fig := dom[i:]
		fig = fig[:strings.Index(fig, "</figure>")]
		if !strings.Contains(fig, "<svg") || strings.Count(fig, "<path") < 10 || !strings.Contains(fig, "<text") {
			t.Errorf("plot %s did not render as SVG with paths and text", f.name)
		}
	}
	if !strings.Contains(dom, "<table>") || !strings.Contains(dom, "receiver-outage") {
		t.Error("report tables missing from the DOM")
	}

	shot := filepath.Join(dir, "report.png")
	runChromium(t, bin, url, "--screenshot="+shot, "--window-size=1280,2000", "--hide-scrollbars")
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if got := img.Bounds(); got.Dx() != 1280 || got.Dy() != 2000 {
		t.Errorf("screenshot is %v, want 1280x2000", got)
	}
	t.Logf("screenshot: %s", shot)
}
