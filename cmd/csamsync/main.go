// Command csamsync syncs Qualys CSAM (CyberSecurity Asset Management) into an
// inventory database you own, and emulates the CSAM API for tests and
// sandboxes. Run "csamsync help" for the commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"sort"
	"syscall"
)

// command is one subcommand: a one-line summary and its entry point.
type command struct {
	summary string
	run     func(ctx context.Context, args []string) error
}

var commands = map[string]command{
	"sync":            {"sync CSAM assets into the inventory (full, resumable)", cmdSync},
	"demo":            {"start the emulator in-process and sync it into a SQLite file", cmdDemo},
	"export":          {"export hosts, packages or installed packages as JSONL or CSV", cmdExport},
	"runs":            {"list recorded sync runs", cmdRuns},
	"emulator":        {"run the CSAM API emulator", cmdEmulator},
	"test-connection": {"run the five connection checks against a gateway", cmdTestConnection},
	"connector":       {"manage connectors: create|list|show|update|delete|run|test", cmdConnector},
	"apply":           {"create or update connectors from a YAML file (idempotent)", cmdApply},
	"serve":           {"run connectors on their schedules; serve /healthz and /metrics", cmdServe},
	"bench":           {"measure a sync or the transfer-only baseline against an emulator process", cmdBench},
}

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage()
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(os.Stderr, "csamsync: unknown command %q (try \"csamsync help\")\n", args[0])
		return 2
	}
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set {
		// A backstop, not a target: a sync's live heap is a few tens of
		// megabytes; this keeps the collector from letting garbage of a
		// burst of large assets double the footprint.
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := cmd.run(ctx, args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(os.Stderr, "csamsync %s: %v\n", args[0], err)
			return 2
		}
		fmt.Fprintf(os.Stderr, "csamsync %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

// defaultMemoryLimit is the Go heap's soft limit unless GOMEMLIMIT is set.
const defaultMemoryLimit = 100 << 20

// usageError marks a bad invocation (exit code 2) as opposed to a failed run.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

func usage() {
	fmt.Println("csamsync: Qualys CSAM to an inventory database you own.")
	fmt.Println()
	fmt.Println("Usage: csamsync <command> [flags]   (csamsync <command> -h for its flags)")
	fmt.Println()
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Printf("  %-16s %s\n", n, commands[n].summary)
	}
}

// envOr returns the environment variable's value, or def when it is unset.
func envOr(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}
