// Command hookbench measures webhook, polling and WebSocket delivery on one
// seeded event stream. See the README for usage.
package main

import "os"

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }
